#include "serve_run_fixture.h"

#include <algorithm>
#include <memory>

#include <nlohmann/json.hpp>

#include "config/yaml_config.h"
#include "serve/torchscript_export.h"
#include "test_util.h"
#include "train/training_run.h"

namespace towerrec::test {

const ServeRun& serve_run() {
  static std::unique_ptr<TempDir> dir;
  static ServeRun run;
  if (!dir) {
    dir = std::make_unique<TempDir>();
    run.run_dir = dir->file("run");
    run.towers_dir = dir->file("towers");
    const RunOptions opts =
        load_run_options("", {"name=serve", "out=" + run.run_dir, "data.synthetic.users=150",
                              "data.synthetic.items=400", "data.synthetic.ratings_per_user=20",
                              "model.user_hidden=[16]", "model.item_hidden=[16]", "model.dim=8",
                              "train.epochs=2", "train.batch_size=64", "train.lr=0.003"});
    run_training(opts, {});
    export_run_towers(run.run_dir, run.towers_dir);
  }
  return run;
}

std::vector<std::pair<double, int64_t>> naive_ranking(const std::vector<float>& items, int64_t dim,
                                                      const float* user,
                                                      const std::vector<int32_t>& skip) {
  const int64_t n = static_cast<int64_t>(items.size()) / dim;
  std::vector<std::pair<double, int64_t>> all;
  for (int64_t i = 0; i < n; ++i) {
    if (std::binary_search(skip.begin(), skip.end(), static_cast<int32_t>(i))) continue;
    double s = 0;
    for (int64_t d = 0; d < dim; ++d)
      s += double(user[d]) * items[static_cast<size_t>(i * dim + d)];
    all.emplace_back(-s, i);
  }
  std::sort(all.begin(), all.end());
  for (auto& p : all) p.first = -p.first;
  return all;
}

}  // namespace towerrec::test

#include "run/run_models.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "features/features.h"
#include "run/run_directory.h"

namespace towerrec {

RunTowers load_run_towers(const std::string& run_dir, const RunOptions& opts,
                          const Features* features) {
  const std::string ckpt = existing_checkpoint(run_dir);
  nlohmann::json meta;
  RunTowers out{ckpt, TwoTowerModel::load(ckpt, &meta), std::nullopt, opts.name, -1};
  if (meta.is_object() && meta.contains("run") && meta["run"].is_string())
    out.run_name = meta["run"].get<std::string>();
  if (meta.is_object() && meta.contains("epoch") && meta["epoch"].is_number_integer())
    out.epoch = meta["epoch"].get<int64_t>();
  if (features) check_checkpoint_fits(ckpt, out.model, *features);
  if (opts.model.rating_head == RatingHeadKind::kSeparate) {
    const std::string path = existing_rating_checkpoint(run_dir);
    out.rating.emplace(TwoTowerModel::load(path));
    if (features) check_checkpoint_fits(path, *out.rating, *features);
  }
  return out;
}

CfModel load_run_cf_model(const std::string& run_dir, int64_t num_items) {
  const std::string path = existing_cf_model(run_dir);
  CfModel model = CfModel::load(path);
  if (model.num_items() != num_items)
    throw Error(path + ": the model has " + std::to_string(model.num_items()) +
                " items, the run's data " + std::to_string(num_items));
  return model;
}

}  // namespace towerrec

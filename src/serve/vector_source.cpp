#include "serve/vector_source.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "model/two_tower_model.h"
#include "run/current_run_data.h"
#include "run/run_directory.h"
#include "run/run_models.h"
#include "serve/exported_towers.h"
#include "serve/tower_module_format.h"

namespace towerrec {
namespace {

// Rows per tower call: bounds the hidden activations ([chunk, hidden] floats) for any catalogue.
constexpr int64_t kChunk = 16384;

void check_names(const std::vector<std::string>& towers, const std::vector<std::string>& run,
                 const std::string& side, const std::string& towers_dir,
                 const std::string& run_dir) {
  if (towers == run) return;
  std::string diff =
      std::to_string(towers.size()) + " vs " + std::to_string(run.size()) + " columns";
  for (size_t c = 0; c < std::min(towers.size(), run.size()); ++c)
    if (towers[c] != run[c]) {
      diff = "column " + std::to_string(c) + " is " + towers[c] + " vs " + run[c];
      break;
    }
  throw Error(towers_dir + ": the " + side + " tower's features differ from those of run " +
              run_dir + " (" + diff + "); export the towers of that run");
}

}  // namespace

struct VectorSource::Impl {
  RunData run;
  std::string description;
  std::unique_ptr<TwoTowerModel> model;    // checkpoint: scaled features
  std::unique_ptr<ExportedTowers> towers;  // export: raw features
  int64_t dim = 0;

  // Rows [row0, row0 + n) of the run's features (scaled / raw point at row row0).
  std::vector<float> embed(bool user, const float* scaled, const float* raw, int64_t n,
                           int64_t row0, const SparseRows* gathered_bag = nullptr) const {
    const SparseRows* bag = gathered_bag                    ? gathered_bag
                            : run.features.user_bag.empty() ? nullptr
                                                            : &run.features.user_bag;
    const SparseRows* item_bag = run.features.item_bag.empty() ? nullptr : &run.features.item_bag;
    if (model)
      return user ? model->embed_users(scaled, n, bag, row0)
                  : model->embed_items(scaled, n, item_bag, row0);
    const FeatureMatrix& f = user ? run.features.user_raw : run.features.item_raw;
    return user ? towers->embed_users(raw, n, f.cols(), bag, row0)
                : towers->embed_items(raw, n, f.cols(), item_bag, row0);
  }

  std::vector<float> rows(bool user, int64_t begin, int64_t count) const {
    const FeatureMatrix& scaled = user ? run.features.user : run.features.item;
    const FeatureMatrix& raw = user ? run.features.user_raw : run.features.item_raw;
    if (begin < 0 || count < 0 || begin + count > scaled.rows)
      throw Error(std::string(user ? "users" : "items") + ": rows [" + std::to_string(begin) +
                  ", " + std::to_string(begin + count) + ") outside [0, " +
                  std::to_string(scaled.rows) + ")");
    std::vector<float> out(static_cast<size_t>(count * dim));
    for (int64_t c0 = 0; c0 < count; c0 += kChunk) {
      const int64_t n = std::min(kChunk, count - c0);
      const std::vector<float> v =
          embed(user, scaled.row(begin + c0), raw.row(begin + c0), n, begin + c0);
      std::copy(v.begin(), v.end(), out.begin() + c0 * dim);
    }
    return out;
  }
};

VectorSource::VectorSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VectorSource::~VectorSource() = default;
VectorSource::VectorSource(VectorSource&&) noexcept = default;
VectorSource& VectorSource::operator=(VectorSource&&) noexcept = default;

VectorSource VectorSource::open(const VectorSourceSpec& spec, const RunCallbacks& cb) {
  if (spec.run_dir.empty() && spec.towers_dir.empty())
    throw UsageError("expected --run DIR (a trained run) or --towers DIR (exported towers)");
  auto impl = std::make_unique<Impl>();
  std::string run_dir = spec.run_dir;
  if (!spec.towers_dir.empty()) {
    impl->towers = std::make_unique<ExportedTowers>(ExportedTowers::load(spec.towers_dir));
    if (run_dir.empty()) {
      const nlohmann::json& info = impl->towers->info();
      if (info.contains("run") && info["run"].is_object() && info["run"].value("dir", "") != "")
        run_dir = info["run"]["dir"].get<std::string>();
      const std::string needs_run =
          "; the towers need the run's data and features: pass --run DIR as well";
      if (run_dir.empty())
        throw Error(spec.towers_dir + "/" + kTowersJsonFile + ": run.dir is missing" + needs_run);
      try {
        run_config_path(run_dir);
      } catch (const Error& e) {
        throw Error(spec.towers_dir + "/" + kTowersJsonFile + ": run.dir " + e.what() + needs_run);
      }
    }
  }
  impl->run = load_scoring_data(run_dir, spec.data_dir, cb);
  const RunData& rd = impl->run;
  if (rd.options.model.kind != ModelKind::kTwoTower)
    throw Error(run_dir + ": model.kind is " + std::string(enum_name(rd.options.model.kind)) +
                "; embed, recommend and similar need a two-tower run");
  if (impl->towers) {
    check_names(impl->towers->user_features(), rd.features.user_raw.names, "user", spec.towers_dir,
                run_dir);
    check_names(impl->towers->item_features(), rd.features.item_raw.names, "item", spec.towers_dir,
                run_dir);
    impl->dim = impl->towers->dim();
    impl->description = "towers " + spec.towers_dir;
  } else {
    RunTowers towers = load_run_towers(run_dir, rd.options, &rd.features);
    impl->model = std::make_unique<TwoTowerModel>(std::move(towers.model));
    impl->dim = impl->model->dim();
    impl->description = "checkpoint " + towers.checkpoint;
  }
  return VectorSource(std::move(impl));
}

const RunData& VectorSource::run() const { return impl_->run; }
int64_t VectorSource::dim() const { return impl_->dim; }
int64_t VectorSource::num_users() const { return impl_->run.features.user.rows; }
int64_t VectorSource::num_items() const { return impl_->run.features.item.rows; }
const std::string& VectorSource::description() const { return impl_->description; }

std::vector<float> VectorSource::users(int64_t begin, int64_t count) const {
  return impl_->rows(true, begin, count);
}
std::vector<float> VectorSource::items(int64_t begin, int64_t count) const {
  return impl_->rows(false, begin, count);
}
std::vector<float> VectorSource::all_items() const { return items(0, num_items()); }

std::vector<float> VectorSource::users(const std::vector<int32_t>& rows) const {
  const FeatureMatrix& scaled = impl_->run.features.user;
  const FeatureMatrix& raw = impl_->run.features.user_raw;
  const int64_t n = static_cast<int64_t>(rows.size());
  std::vector<float> out(static_cast<size_t>(n * impl_->dim));
  std::vector<float> gs, gr;
  for (int64_t c0 = 0; c0 < n; c0 += kChunk) {
    const int64_t m = std::min(kChunk, n - c0);
    gs.resize(static_cast<size_t>(m * scaled.cols()));
    gr.resize(static_cast<size_t>(m * raw.cols()));
    for (int64_t r = 0; r < m; ++r) {
      const int32_t u = rows[static_cast<size_t>(c0 + r)];
      if (u < 0 || u >= scaled.rows)
        throw Error("users: row " + std::to_string(u) + " outside [0, " +
                    std::to_string(scaled.rows) + ")");
      std::copy(scaled.row(u), scaled.row(u) + scaled.cols(), gs.begin() + r * scaled.cols());
      std::copy(raw.row(u), raw.row(u) + raw.cols(), gr.begin() + r * raw.cols());
    }
    const SparseRows& full_bag = impl_->run.features.user_bag;
    const SparseRows bag = full_bag.empty() ? SparseRows() : full_bag.subset(rows.data() + c0, m);
    const std::vector<float> v =
        impl_->embed(true, gs.data(), gr.data(), m, 0, full_bag.empty() ? nullptr : &bag);
    std::copy(v.begin(), v.end(), out.begin() + c0 * impl_->dim);
  }
  return out;
}

}  // namespace towerrec

#include "serve/torchscript_export.h"

#include <optional>
#include <sstream>
#include <vector>

#include <ATen/ops/from_blob.h>
#include <torch/csrc/jit/api/module.h>
#include <nlohmann/json.hpp>

#include "config/yaml_config.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "features/column_scaler.h"
#include "features/target_scaler.h"
#include "model/two_tower_impl.h"
#include "run/run_directory.h"
#include "run/run_models.h"
#include "serve/tower_module_format.h"

namespace towerrec {
namespace {

using json = nlohmann::json;

struct SideStats {
  std::vector<std::string> names;
  ColumnScaler scaler;
};

SideStats side_stats(const json& stats, const char* side) {
  if (!stats.is_object() || !stats.contains(side) || !stats[side].is_object())
    throw Error(std::string("features stats: key '") + side +
                "': expected an object with names, mean and scale, found " +
                (stats.is_object() && stats.contains(side) ? quote_found(stats[side].dump())
                                                           : "no such key"));
  const json& j = stats[side];
  SideStats s;
  if (!j.contains("names") || !j["names"].is_array())
    throw Error(std::string("features stats: key '") + side +
                ".names': expected an array of column names, found " +
                (j.contains("names") ? quote_found(j["names"].dump()) : "no such key"));
  for (const json& n : j["names"]) {
    if (!n.is_string())
      throw Error(std::string("features stats: key '") + side +
                  ".names': expected strings, found " + quote_found(n.dump()));
    s.names.push_back(n.get<std::string>());
  }
  s.scaler = ColumnScaler::from_json(j);
  if (s.scaler.mean.size() != s.names.size())
    throw Error(std::string("features stats: key '") + side + "': expected " +
                std::to_string(s.names.size()) + " means and scales (one per name), found " +
                std::to_string(s.scaler.mean.size()));
  return s;
}

at::Tensor owned(const std::vector<float>& v) {
  return at::from_blob(const_cast<float*>(v.data()), {static_cast<int64_t>(v.size())}, at::kFloat)
      .clone();
}

// The forward, unrolled over the layers. LibTorch 1.13's define() has no torch.nn.functional, so
// the MLP and the normalisation are spelled with plain tensor ops. The arithmetic follows the
// trainer's
// ((x - mean) / scale, then x W^T + b), so exported and trained vectors agree to float rounding.
// No width check inside the module: define() in LibTorch 1.13 resolves no exception type (raise
// RuntimeError/Exception/ValueError are all "undefined value"), so a wrong width fails at the first
// broadcast; ExportedTowers checks widths before calling, and n_features is an attribute for
// others. With a bag (the user tower's watched items) the module takes the bag as (row, vocabulary
// position) pairs and weights each row's entries 1/sqrt(entries), as features/watched_items.h
// does, adding bag[position] rows to the first layer's pre-activation.
std::string forward_source(const std::string& side, size_t num_layers, bool bag) {
  std::ostringstream s;
  if (bag) {
    s << "def forward(self, x: Tensor, bag_rows: Tensor, bag_items: Tensor) -> Tensor:\n"
      << "    h = (x.float() - self.mean) / self.scale\n"
      << "    counts = torch.bincount(bag_rows, minlength=x.size(0)).float()\n"
      << "    w = torch.rsqrt(torch.clamp(counts, min=1.0))[bag_rows]\n";
  } else {
    s << "def forward(self, x: Tensor) -> Tensor:\n"
      << "    h = (x.float() - self.mean) / self.scale\n";
  }
  for (size_t l = 0; l < num_layers; ++l) {
    std::string lin =
        "torch.addmm(self.b" + std::to_string(l) + ", h, self.w" + std::to_string(l) + ".t())";
    if (l == 0 && bag) lin += ".index_add(0, bag_rows, self.bag[bag_items] * w.unsqueeze(1))";
    if (l + 1 < num_layers) {
      s << "    h = torch.relu(" << lin << ")\n";
    } else {
      s << "    h = " << lin << "\n";
    }
  }
  s << "    norm = torch.sqrt(torch.sum(h * h, dim=1, keepdim=True))\n"
    << "    return h / torch.clamp(norm, min=" << kTowerNormEps << ")\n";
  return s.str();
}

torch::jit::Module tower_module(const std::string& side, const Tower& tower,
                                const ColumnScaler& scaler) {
  torch::jit::Module m(c10::QualifiedName("__torch__.towerrec." + side + "_tower"));
  m.register_attribute("training", c10::BoolType::get(), false);
  m.register_attribute(kAttrTower, c10::StringType::get(), side);
  m.register_attribute(kAttrFormat, c10::IntType::get(), kTowerFormatVersion);
  m.register_attribute(kAttrFeatures, c10::IntType::get(), tower.in);
  m.register_attribute(kAttrDim, c10::IntType::get(), tower.out());
  if (tower.has_bag()) {
    m.register_attribute(kAttrBag, c10::IntType::get(), tower.bag.size(0));
    m.register_parameter("bag", tower.bag.detach().clone().contiguous(), false);
  }
  m.register_buffer("mean", owned(scaler.mean));
  m.register_buffer("scale", owned(scaler.scale));
  for (size_t l = 0; l < tower.layers.size(); ++l) {
    // Clones: the layers are views into the model's flat parameter block, and a saved view would
    // carry (and serialise) the whole block.
    m.register_parameter("w" + std::to_string(l),
                         tower.layers[l].weight.detach().clone().contiguous(), false);
    m.register_parameter("b" + std::to_string(l),
                         tower.layers[l].bias.detach().clone().contiguous(), false);
  }
  m.define(forward_source(side, tower.layers.size(), tower.has_bag()));
  return m;
}

void save_module(const torch::jit::Module& m, const std::string& path) {
  AtomicFile file(path, /*binary=*/true);
  try {
    m.save(file.stream());
  } catch (const c10::Error& e) {
    throw IoError("cannot write " + path + ": " + e.what_without_backtrace());
  }
  file.commit();
}

}  // namespace

ExportResult export_towers(const TwoTowerModel& model, const json& stats,
                           const ExportSource& source, const std::string& out_dir,
                           const TwoTowerModel* rating) {
  const SideStats user = side_stats(stats, "user");
  const SideStats item = side_stats(stats, "item");
  if (!stats.contains("target"))
    throw Error("features stats: key 'target': expected {\"min\", \"max\"}, found no such key");
  const TargetScaler target = TargetScaler::from_json(stats["target"]);
  if (static_cast<int64_t>(user.names.size()) != model.user_in() ||
      static_cast<int64_t>(item.names.size()) != model.item_in())
    throw Error("export: the model expects " + std::to_string(model.user_in()) + " user and " +
                std::to_string(model.item_in()) + " item features, the features stats name " +
                std::to_string(user.names.size()) + " and " + std::to_string(item.names.size()));
  if (rating && (rating->user_in() != model.user_in() || rating->item_in() != model.item_in() ||
                 rating->user_bag() != model.user_bag() || rating->item_bag() != model.item_bag()))
    throw Error("export: the rating towers' inputs differ from the retrieval towers'");

  const TwoTowerModel::Impl& impl = model.impl();
  make_dirs(out_dir);
  ExportResult r;
  r.user_tower = out_dir + "/" + kUserTowerFile;
  r.item_tower = out_dir + "/" + kItemTowerFile;
  r.towers_json = out_dir + "/" + kTowersJsonFile;
  r.dim = model.dim();
  r.user_features = model.user_in();
  r.item_features = model.item_in();
  {
    // Modules are built and saved under no-grad: their tensors are plain data, not graph leaves.
    at::NoGradGuard no_grad;
    save_module(tower_module("user", impl.user, user.scaler), r.user_tower);
    save_module(tower_module("item", impl.item, item.scaler), r.item_tower);
    if (rating) {
      r.user_rating_tower = out_dir + "/" + kUserRatingTowerFile;
      r.item_rating_tower = out_dir + "/" + kItemRatingTowerFile;
      save_module(tower_module("user", rating->impl().user, user.scaler), r.user_rating_tower);
      save_module(tower_module("item", rating->impl().item, item.scaler), r.item_rating_tower);
    }
  }

  json j;
  j["format"] = kTowersFormat;
  j["version"] = kTowerFormatVersion;
  j["towerrec_version"] = TOWERREC_VERSION;
  j["run"] = {{"dir", source.run_dir},
              {"name", source.run_name},
              {"epoch", source.epoch >= 0 ? json(source.epoch) : json(nullptr)}};
  j["dim"] = model.dim();
  j["user_tower"] = kUserTowerFile;
  j["item_tower"] = kItemTowerFile;
  j["user_features"] = user.names;
  j["item_features"] = item.names;
  j["input"] =
      "float32 [batch, n_features]: raw (unscaled) features in the order listed; the "
      "training split's scaling is inside each module";
  j["output"] = "float32 [batch, dim], each row of L2 norm 1";
  j["target"] = target.to_json();
  const RatingHead head = model.rating_head();
  if (rating) {
    j["rating_towers"] = {{"user", kUserRatingTowerFile}, {"item", kItemRatingTowerFile}};
    j["stars"] =
        "dot = user_rating_tower(x_user) . item_rating_tower(x_item) (same inputs as the "
        "towers); stars = (dot + 1) / 2 * (max - min) + min (ranking uses user_tower . "
        "item_tower)";
  } else if (head.user.empty()) {
    j["stars"] = "stars = (dot + 1) / 2 * (max - min) + min";
  } else {
    j["stars"] =
        "s = rating_head.scale * dot + rating_head.bias + rating_head.user . u + "
        "rating_head.item . v; stars = (s + 1) / 2 * (max - min) + min (ranking uses dot)";
    j["rating_head"] = {
        {"scale", head.scale}, {"bias", head.bias}, {"user", head.user}, {"item", head.item}};
  }
  if (impl.item.has_bag()) {
    j["item_ids"] = stats.value("item_ids", json::array());
    j["item_input"] =
        "item_tower(x, bag_rows, bag_items): as the user tower; an item's bag is its "
        "own position in item_ids (no entry for items outside it)";
  }
  if (impl.user.has_bag()) {
    j["watched_items"] = stats.value("watched_items", json::array());
    j["user_input"] =
        "user_tower(x, bag_rows, bag_items): x float32 [batch, n_features] raw; "
        "bag_rows int64 [nnz] the row of each bag entry, bag_items int64 [nnz] its "
        "position in watched_items (items the user rated that are in that list; the "
        "module weights each row's entries 1/sqrt(count))";
  }
  j["global_mean"] = stats.value("global_mean", json(nullptr));
  j["imputed"] = stats.value("imputed", json::object());
  // Written last: a directory with a towers.json always has both modules beside it.
  write_file_atomic(r.towers_json, j.dump(2) + "\n");
  return r;
}

ExportResult export_run_towers(const std::string& run_dir, const std::string& out_dir) {
  const RunOptions o = load_run_options(run_config_path(run_dir));
  if (o.model.kind != ModelKind::kTwoTower)
    throw Error(run_dir + ": model.kind is " + std::string(enum_name(o.model.kind)) +
                "; only two_tower runs have towers to export");
  existing_checkpoint(run_dir);  // a missing checkpoint is named before its features.json
  const std::string features =
      existing_run_file(run_dir, kFeaturesFile, std::string("expected beside ") + kCheckpointFile);
  json stats;
  try {
    stats = json::parse(read_file(features));
  } catch (const json::parse_error& e) {
    throw InputError(features, 0, std::string("expected JSON, found a parse error: ") + e.what());
  }
  // Checked against features.json by export_towers (the run's data may be gone).
  const RunTowers towers = load_run_towers(run_dir, o, nullptr);
  ExportSource source;
  source.run_dir = run_dir;
  source.run_name = towers.run_name;
  source.epoch = towers.epoch;
  try {
    return export_towers(towers.model, stats, source, out_dir,
                         towers.rating ? &*towers.rating : nullptr);
  } catch (const IoError&) {
    throw;
  } catch (const Error& e) {
    // Name the file the bad statistics came from.
    throw Error(features + ": " + e.what());
  }
}

}  // namespace towerrec

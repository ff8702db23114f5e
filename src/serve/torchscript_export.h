// TorchScript export of both towers (GitHub issue 6): a serving stack (Python's torch.jit.load, or
// LibTorch's torch::jit::load) gets each tower as one self-contained module that takes the RAW
// feature matrix and returns the L2-normalised embedding, so it needs neither towerrec nor the
// run's scalers.
//
// An export directory holds:
//   user_tower.pt, item_tower.pt  TorchScript modules. forward(x: float32 [batch, n_features] raw,
//                                 unscaled features in towers.json's order) -> float32 [batch,
//                                 dim], every row of L2 norm 1 (an all-zero output row stays 0).
//                                 The training split's per-column scaling ((x - mean) / scale) is
//                                 inside, as buffers; the layers are parameters w0, b0, w1, b1, ...
//                                 ([out, in], [out]). Attributes: tower ("user" | "item"),
//                                 n_features, dim, format_version. A wrong width fails in forward
//                                 (broadcast).
//   towers.json                   {"format": "towerrec-towers", "version": 1, "towerrec_version",
//                                  "run": {"dir", "name", "epoch"}, "dim",
//                                  "user_tower": "user_tower.pt", "item_tower": "item_tower.pt",
//                                  "user_features": [names in input order], "item_features": [...],
//                                  "target": {"min", "max"},
//                                  "stars": "stars = (dot + 1) / 2 * (max - min) + min",
//                                  with model.rating_head separate also "rating_towers":
//                                  {"user": "user_rating_tower.pt", "item": "item_rating_tower.pt"}
//                                  and "stars" says the dot is theirs,
//                                  "global_mean", "imputed": {column: value used for a missing
//                                  input}}
// Every file is written atomically (core/atomic_file.h). serve/exported_towers.h loads them back.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace towerrec {

class TwoTowerModel;

// Where an export came from, recorded in towers.json under "run".
struct ExportSource {
  std::string run_dir;
  std::string run_name;
  int64_t epoch = -1;  // the checkpoint's epoch; < 0 when unknown (written as null)
};

// What export wrote.
struct ExportResult {
  std::string user_tower;         // path of user_tower.pt
  std::string item_tower;         // path of item_tower.pt
  std::string towers_json;        // path of towers.json
  std::string user_rating_tower;  // model.rating_head separate: user_rating_tower.pt; else empty
  std::string item_rating_tower;
  int64_t dim = 0;
  int64_t user_features = 0;
  int64_t item_features = 0;
};

// Exports `model` with the scaling and target scale of `features_stats` (Features::stats_json(), as
// the run directory's features.json holds it) into `out_dir` (created when missing). With `rating`
// (model.rating_head separate) its towers are written too, as user_rating_tower.pt and
// item_rating_tower.pt (same inputs), and towers.json's "stars" is their dot product. Throws Error
// when the stats are malformed or their column counts differ from the model's inputs.
ExportResult export_towers(const TwoTowerModel& model, const nlohmann::json& features_stats,
                           const ExportSource& source, const std::string& out_dir,
                           const TwoTowerModel* rating = nullptr);

// Exports a finished two-tower run directory (config.yaml, features.json, model.ckpt, and
// rating.ckpt with model.rating_head separate; see
// models/README.md). Throws Error naming the run directory when it is not one, was trained with
// model.kind cf (nothing tower-shaped to export) or has no checkpoint yet, and FormatError for a
// corrupt checkpoint.
ExportResult export_run_towers(const std::string& run_dir, const std::string& out_dir);

}  // namespace towerrec

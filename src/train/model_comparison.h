// `towerrec compare`: the two-tower model, the collaborative-filtering model, the content
// regression (cf.item_features: content, cf/content_regression.h) and the mean/popularity baselines
// trained and evaluated on ONE split, written as a table and a report:
//   <out>/compare.json   list of rows {model, test_rmse, test_mae, recall_at_K, ndcg_at_K, train_seconds}
//   <out>/compare.md     the same as a Markdown table
//   <out>/report.html    self-contained (inline SVG): table, bars, learning curves, rating distributions
//   <out>/two_tower/, <out>/cf/, <out>/content_regression/   the run directories (models/README.md)
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "config/options.h"
#include "train/training_run.h"

namespace towerrec {

// Returns compare.json's content. opts.model.kind is ignored (both kinds are trained).
nlohmann::json compare_models(const RunOptions& opts, const std::string& out_dir,
                              const RunCallbacks& cb);

}  // namespace towerrec

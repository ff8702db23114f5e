// metrics.json: RunMetrics (eval/run_metrics.h) as JSON and back. The JSON edge of a run's results:
// the training run writes it, the CLI prints it, a resumed finished run reads it back.
//   {"model", "test_rmse", "test_mae", "recall_at_K", "ndcg_at_K" (the model's row, K = eval.k),
//    ["test_mse_scaled" | "test_auc", "test_log_loss"], ["train_seconds"], "split", "n_train",
//    "n_validation", "n_test", "baselines": {name: row without "model"}, "comparison":
//    ComparisonTable::to_json(), [best_epoch, epochs_run, stopped_early], ["rating_towers":
//    {best_epoch, epochs_run, stopped_early}], ["resumed_from_epoch"], ["iterations"]}
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "eval/run_metrics.h"

namespace towerrec {

// Precondition: !m.empty().
nlohmann::json run_metrics_json(const RunMetrics& m);

// Reads what run_metrics_json wrote; throws Error naming `path` and the key on a malformed file.
RunMetrics run_metrics_from_json(const nlohmann::json& j, const std::string& path);

// {"best_epoch", "epochs_run", "stopped_early"} (also kept in rating.ckpt's metadata).
nlohmann::json epoch_summary_json(const EpochSummary& s);
// Throws Error naming `where` on a malformed object.
EpochSummary epoch_summary_from_json(const nlohmann::json& j, const std::string& where);

}  // namespace towerrec

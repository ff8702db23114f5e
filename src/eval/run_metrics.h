// What a training run found: the model's test metrics beside the baselines and how it was trained,
// typed. metrics.json is this struct written by eval/run_metrics_json.h (the only place that knows
// its keys).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "eval/comparison.h"

namespace towerrec {

// How an early-stopped training went (metrics.json keys best_epoch, epochs_run, stopped_early).
struct EpochSummary {
  int64_t best_epoch = 0;  // 1-based; the epoch the checkpoint holds
  int64_t epochs_run = 0;
  bool stopped_early = false;
};

// How the model was trained; every field is absent when a finished run is only re-evaluated.
struct TrainingSummary {
  std::optional<EpochSummary> epochs;         // two-tower: top-level best_epoch, epochs_run, ...
  std::optional<EpochSummary> rating_towers;  // model.rating_head separate: "rating_towers"
  std::optional<int64_t> resumed_from_epoch;  // a --resume run: the state's epochs at the start
  std::optional<int64_t> iterations;          // cf: solver iterations (content regression: 1)
};

// metrics.json, typed. A run that evaluated nothing (a distributed rank other than 0) is empty().
struct RunMetrics {
  // rows[0]: the trained model; then the baselines (mean, popularity, EASE^R). Its k is eval.k.
  ComparisonTable comparison;
  // Model-specific figures (each written only when set): two-tower: MSE of the scaled target;
  // binary CF: AUC and log-loss (NaN when undefined, written as null).
  std::optional<double> test_mse_scaled;
  std::optional<double> test_auc;
  std::optional<double> test_log_loss;
  std::optional<double> train_seconds;  // wall-clock training; absent when re-evaluated
  std::string split;                    // data.split as the run used it
  int64_t n_train = 0;                  // training ratings (the training split minus validation)
  int64_t n_validation = 0;
  int64_t n_test = 0;
  TrainingSummary training;

  bool empty() const { return comparison.rows.empty(); }
  // The trained model's row (precondition: !empty()).
  const ComparisonRow& model() const { return comparison.rows.front(); }
};

}  // namespace towerrec

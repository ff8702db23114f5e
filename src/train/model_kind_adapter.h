// One adapter per model kind (model.kind, and for cf the content regression): the training run
// (train/training_run.h) trains, reads back and evaluates every kind through this interface, so it
// never forks on the kind itself.
#pragma once

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/options.h"
#include "eval/beyond_accuracy.h"
#include "eval/ranking_eval.h"
#include "eval/run_metrics.h"
#include "eval/svg_chart.h"
#include "run/run_callbacks.h"

namespace towerrec {

class DistContext;
struct RunInputs;
struct TrainState;

// A trained model's outputs on the run's test split, in stars (two-tower: the dot product mapped
// back from [-1, 1]).
struct ModelOutput {
  std::string name;               // the comparison row's model name
  std::vector<float> test_stars;  // parallel to split.test; empty for binary models
  BlockRanker ranker;             // empty: no ranking metrics
  ItemVectors vectors;            // for intra-list diversity; empty: genres
  double train_seconds = NAN;     // NaN: read back, not trained
  std::optional<double> test_mse_scaled, test_auc, test_log_loss;  // RunMetrics' figures
  TrainingSummary training;     // how it was trained (empty when read back)
  Series train_loss, val_loss;  // learning curves per epoch (rank 0; empty when read back)
};

// What training needs from the run. References: valid for the call.
struct RunContext {
  const RunOptions& opts;
  const RunInputs& in;
  const std::string& run_dir;
  const RunCallbacks& cb;
  DistContext& ranks;
};

class ModelKindAdapter {
 public:
  virtual ~ModelKindAdapter() = default;
  // Trains on in.fit_rows, validates on in.val_rows, writes the model's files (epochs.jsonl and
  // the model) into the run directory on rank 0, and returns the model's test outputs on every rank
  // (ranking metrics are sharded). `resume` (non-null): continue after the state's epoch; kinds
  // without per-epoch state never get one (run/run_resume.h refuses them first).
  virtual ModelOutput train(const RunContext& run, const TrainState* resume) const = 0;
  // A finished run's model read back from `run_dir` (checked against `in`'s features).
  virtual ModelOutput load(const std::string& run_dir, const RunInputs& in,
                           const RunOptions& opts) const = 0;
};

// The adapter for opts.model.kind.
std::unique_ptr<ModelKindAdapter> model_kind_adapter(const RunOptions& opts);

}  // namespace towerrec

// A training run end to end: read (or generate) the data, split it, build features on the training
// split, train the model named by model.kind, evaluate it beside the baselines, and write the run
// directory (layout in models/README.md). Every file is written atomically; the checkpoint is
// rewritten only when validation improves.
#pragma once

#include <string>
#include <vector>

#include "config/options.h"
#include "eval/run_metrics.h"
#include "eval/svg_chart.h"
#include "run/run_callbacks.h"

namespace towerrec {

class DistContext;

// What run_training returns: metrics.json's content (typed; eval/run_metrics_json.h writes it) and,
// in memory only, what the compare report draws. The curves and predictions are empty when a
// finished run is resumed (nothing trained) and on ranks other than 0 (metrics empty too).
struct RunResult {
  RunMetrics metrics;
  Series train_loss;                    // per epoch ("train"): epochs.jsonl's train_loss
  Series val_loss;                      // per epoch ("validation"): its non-null val_loss
  std::vector<float> test_ratings;      // stars, parallel to split.test (test_predictions.csv)
  std::vector<float> test_predictions;  // stars; both empty for binary models
};

// Trains and evaluates; returns the metrics written to metrics.json. Besides the files listed in
// models/README.md it writes test_predictions.csv (user_id,item_id,rating,prediction) for rating
// models. Distributed (`dist` non-null with world size > 1, dist/dist_context.h): every rank reads
// the data and trains its shards; the model's ranking metrics are computed in user shards on every
// rank and summed; rank 0 alone computes the rest (rating metrics, baselines) and writes the run
// directory (the same files as one process); the other ranks write nothing and return empty
// metrics. Without data.dir rank 0 generates the synthetic data into the run directory and the
// others read it from there after a barrier (one machine, or a shared file system).
//
// Every epoch rank 0 also writes train_state.bin (train/train_state.h), last and atomically, so a
// run killed at any point can continue: with RunStart::kResume (opts from load_resume_options())
// training picks up after the state's epoch and ends with the same weights and metrics as an
// uninterrupted run at the same thread count. config.yaml is then left as it is; a finished run
// whose metrics.json exists is not trained again (the existing metrics are returned); a finished
// run without metrics.json is evaluated. Resume throws UsageError for model.kind cf (no per-epoch
// state), Error when the directory has no train_state.bin or it belongs to another config, and
// FormatError when it is truncated or foreign. A fresh start removes an earlier run's
// train_state.bin and metrics.json from the directory. Stale temporary files of killed writers
// are removed in both modes.
enum class RunStart { kFresh, kResume };
RunResult run_training(const RunOptions& opts, const RunCallbacks& cb, DistContext* dist = nullptr,
                       RunStart start = RunStart::kFresh);

// Re-evaluates a finished run from its config.yaml and model.ckpt (same data, same split); writes
// nothing. `sets` override keys of config.yaml as `towerrec train --set` does (e.g. eval.k=20).
// The result has no training figures (train_seconds, epochs, iterations).
RunMetrics evaluate_run(const std::string& run_dir, const RunCallbacks& cb,
                        const std::vector<std::string>& sets = {});

}  // namespace towerrec

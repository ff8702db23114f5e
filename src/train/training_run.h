// A training run end to end: read (or generate) the data, split it, build features on the training split,
// train the model named by model.kind, evaluate it beside the baselines, and write the run directory
// (layout in models/README.md). Every file is written atomically; the checkpoint is rewritten only when
// validation improves.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "config/options.h"
#include "core/progress.h"
#include "data/dataset.h"
#include "features/features.h"

namespace towerrec {

class DistContext;

struct RunCallbacks {
  ProgressFn progress;
  LogFn log;
};

// opts.out, or models/<name> when empty.
std::string run_dir_for(const RunOptions& opts);

// The dataset directory of a run: data.dir, or (empty) <run_dir>/data, generating the synthetic default
// there the first time.
std::string prepare_data_dir(const RunOptions& opts, const std::string& run_dir,
                             const RunCallbacks& cb);

// Trains and evaluates; returns the content written to metrics.json. Besides the files listed in
// models/README.md it writes test_predictions.csv (user_id,item_id,rating,prediction) for rating
// models. Distributed (`dist` non-null with world size > 1, train/distributed.h): every rank reads
// the data and trains its shards; the model's ranking metrics are computed in user shards on every
// rank and summed; rank 0 alone computes the rest (rating metrics, baselines) and writes the run
// directory (the same files as one process); the other ranks write nothing and return an empty
// object. Without data.dir rank 0 generates the synthetic data into the run directory and the
// others read it from there after a barrier (one machine, or a shared file system).
nlohmann::json run_training(const RunOptions& opts, const RunCallbacks& cb,
                            DistContext* dist = nullptr);

// What a finished run was trained on, rebuilt from its config.yaml exactly as training built it (same
// data, same split, features fit on the same rows): the input of the offline jobs (serve/).
struct RunData {
  std::string dir;
  RunOptions options;                // the run's config.yaml
  Dataset data;
  std::vector<uint32_t> train_rows;  // the whole training split (fit + validation)
  Features features;
};

// Throws Error naming `run_dir` when it has no config.yaml, and UsageError for a course-lab run
// (its rows are precomputed feature vectors, not users and items).
RunData load_run_data(const std::string& run_dir, const RunCallbacks& cb);

// Re-evaluates a finished run from its config.yaml and model.ckpt (same data, same split); writes nothing.
nlohmann::json evaluate_run(const std::string& run_dir, const RunCallbacks& cb);

}  // namespace towerrec

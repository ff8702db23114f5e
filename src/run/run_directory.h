// The run directory (`towerrec train --out DIR`, layout in models/README.md): the names of its
// files, where a run's directory and dataset are, and the checks every reader of a run makes before
// it opens a file. The one place these names are spelled, so training, serving and the CLI cannot
// disagree about them.
#pragma once

#include <string>

#include "config/options.h"

namespace towerrec {

// The resolved config the run was trained with (every key, defaults written out).
inline constexpr const char* kRunConfigFile = "config.yaml";
// Feature names, scaling statistics and target scale, fit on the training split.
inline constexpr const char* kFeaturesFile = "features.json";
// One JSON object per epoch (train/validation loss, seconds, rows/s).
inline constexpr const char* kEpochsFile = "epochs.jsonl";
// The best two-tower checkpoint (TwoTowerModel checkpoint format).
inline constexpr const char* kCheckpointFile = "model.ckpt";
// model.rating_head separate: the rating towers (TwoTowerModel checkpoint format).
inline constexpr const char* kRatingCheckpointFile = "rating.ckpt";
// model.kind cf: the CF model instead of model.ckpt.
inline constexpr const char* kCfModelFile = "model.cf";
// Everything `train --resume` needs after the last complete epoch (train/train_state.h).
inline constexpr const char* kTrainStateFile = "train_state.bin";
// Test metrics beside the baselines' on the same split.
inline constexpr const char* kMetricsFile = "metrics.json";
// The model's prediction beside every test rating (rating models only).
inline constexpr const char* kTestPredictionsFile = "test_predictions.csv";
// The generated dataset, when the config uses the synthetic default (no data.dir).
inline constexpr const char* kRunDataDir = "data";

// `run_dir`/`file`.
std::string run_file(const std::string& run_dir, const char* file);

// opts.out, or models/<name> when empty.
std::string run_dir_for(const RunOptions& opts);

// The dataset a run reads: data.dir, or (empty) the synthetic default generated into
// <run_dir>/data.
std::string run_dataset_dir(const RunOptions& opts, const std::string& run_dir);

// True when `dir` holds a run's config.yaml.
bool is_run_directory(const std::string& dir);

// <run_dir>/config.yaml; throws Error "<run_dir>: not a run directory (...)" when it is missing.
// Every reader of a run starts here, so the message is the same wherever a run is opened.
std::string run_config_path(const std::string& run_dir);

// <run_dir>/<file>; throws Error "<run_dir>: no <file> (<why_missing>)" when it is missing, e.g.
// why_missing "training did not finish an epoch" for model.ckpt.
std::string existing_run_file(const std::string& run_dir, const char* file,
                              const std::string& why_missing);

// The model files of a finished run, each checked like existing_run_file with the reason it can be
// missing: model.ckpt (training did not finish an epoch), rating.ckpt (model.rating_head separate:
// training did not finish the rating towers), model.cf (training did not finish).
std::string existing_checkpoint(const std::string& run_dir);
std::string existing_rating_checkpoint(const std::string& run_dir);
std::string existing_cf_model(const std::string& run_dir);

}  // namespace towerrec

#include "train/training_run.h"

#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "config/yaml_config.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "data/split.h"
#include "dist/dist_context.h"
#include "eval/run_metrics_json.h"
#include "run/run_directory.h"
#include "run/run_inputs.h"
#include "run/run_resume.h"
#include "train/cf_adapter.h"
#include "train/model_kind_adapter.h"
#include "train/run_evaluation.h"
#include "train/train_state.h"
#include "train/two_tower_adapter.h"

namespace towerrec {
namespace {

namespace fs = std::filesystem;

// test_predictions.csv: the model's prediction beside every test rating (report histograms use it).
void write_predictions(const std::string& path, const RunInputs& in, const ModelOutput& output) {
  if (output.test_stars.empty()) return;
  AtomicFile f(path);
  f.stream() << "user_id,item_id,rating,prediction\n";
  for (size_t k = 0; k < in.split.test.size(); ++k) {
    const uint32_t r = in.split.test[k];
    f.stream() << in.data.users.id(in.data.ratings.user[r]) << ','
               << in.data.items.id(in.data.ratings.item[r]) << ',' << in.data.ratings.value[r]
               << ',' << output.test_stars[k] << '\n';
  }
  f.commit();
}

// A resumed run's training state, read and checked against the options (every rank reads it: one
// machine or a shared file system; rank 0 rewrites it only after the first epoch's all-reduces,
// when every rank has read it).
std::unique_ptr<TrainState> read_resume_state(const RunOptions& opts, const std::string& run_dir) {
  const std::string state_path = resume_state_path(opts, run_dir);
  auto state = std::make_unique<TrainState>(load_train_state(state_path));
  check_resume_fingerprint(state->config_hash, opts, state_path, run_dir);
  return state;
}

// Rank 0 before training: the run directory exists, holds no stale temporary files and, for a
// fresh start, none of an earlier run's outputs, and config.yaml describes this run.
void prepare_run_dir(const RunOptions& opts, const std::string& run_dir, bool resuming) {
  make_dirs(run_dir);
  // Temporary files of a killed run are never read (readers open the final names); clear them.
  remove_stale_temp_files(run_dir);
  if (opts.data.dir.empty()) remove_stale_temp_files(run_file(run_dir, kRunDataDir));
  // Resuming, config.yaml is where the options came from: it is left as it is.
  if (resuming) return;
  // Outputs of an earlier run in this directory would describe that run (and its state would
  // resume it): a new run starts from an empty slate.
  for (const char* f : {kTrainStateFile, kMetricsFile, kEpochsFile, kCheckpointFile,
                        kRatingCheckpointFile, kCfModelFile, kTestPredictionsFile}) {
    std::error_code ec;
    fs::remove(run_file(run_dir, f), ec);
  }
  write_file_atomic(run_file(run_dir, kRunConfigFile), dump_run_options(opts));
}

// What the compare report draws, kept from the training.
void keep_for_report(const RunInputs& in, const ModelOutput& output, RunResult& result) {
  result.train_loss = output.train_loss;
  result.train_loss.name = "train";
  result.val_loss = output.val_loss;
  result.val_loss.name = "validation";
  if (output.test_stars.empty()) return;
  result.test_predictions = output.test_stars;
  result.test_ratings.reserve(in.split.test.size());
  for (uint32_t r : in.split.test) result.test_ratings.push_back(in.data.ratings.value[r]);
}

}  // namespace

std::unique_ptr<ModelKindAdapter> model_kind_adapter(const RunOptions& opts) {
  if (opts.model.kind == ModelKind::kCf)
    return opts.cf.item_features == CfItemFeatures::kContent ? content_regression_adapter()
                                                             : cf_adapter();
  return two_tower_adapter();
}

RunResult run_training(const RunOptions& opts, const RunCallbacks& cb, DistContext* dist,
                       RunStart start) {
  // Options built by hand skip the loader's validate(): a bad spec fails before anything is
  // written.
  SplitSpec::parse(opts.data.split, "data.split");
  DistContext one_process;
  DistContext& ranks = dist ? *dist : one_process;
  const std::string run_dir = run_dir_for(opts);
  const bool resuming = start == RunStart::kResume;
  std::unique_ptr<TrainState> resume;
  RunResult result;
  if (resuming) {
    resume = read_resume_state(opts, run_dir);
    const std::string metrics_path = run_file(run_dir, kMetricsFile);
    if (resume->finished && fs::exists(metrics_path)) {
      cb.say(run_dir + ": training already finished (" + std::to_string(resume->epochs_done) +
             " epochs, best epoch " + std::to_string(resume->best_epoch) + ") and " + kMetricsFile +
             " is written: nothing to resume");
      if (ranks.is_root())
        result.metrics =
            run_metrics_from_json(nlohmann::json::parse(read_file(metrics_path)), metrics_path);
      return result;
    }
  }
  // Every input file is read and checked before the run directory is created or written: a bad
  // data file leaves an existing --out exactly as it was and creates no new one. (The synthetic
  // default is generated into the run directory, so it can only be read after it is created.)
  RunInputs in;
  if (!opts.data.dir.empty()) in = prepare_run_inputs(opts, run_dir, cb);
  if (ranks.is_root()) {
    prepare_run_dir(opts, run_dir, resuming);
    if (opts.data.dir.empty()) prepare_data_dir(opts, run_dir, cb);  // the synthetic default, once
  }
  ranks.barrier();  // the other ranks read the generated data only once it is complete

  if (opts.data.dir.empty()) in = prepare_run_inputs(opts, run_dir, cb);
  if (ranks.is_root())
    write_file_atomic(run_file(run_dir, kFeaturesFile), in.features.stats_json().dump(2) + "\n");

  const RunContext run{opts, in, run_dir, cb, ranks};
  const ModelOutput output = model_kind_adapter(opts)->train(run, resume.get());
  result.metrics = evaluate_with_baselines(opts, in, output, cb, ranks);
  if (!ranks.is_root()) return result;
  write_predictions(run_file(run_dir, kTestPredictionsFile), in, output);
  write_file_atomic(run_file(run_dir, kMetricsFile),
                    run_metrics_json(result.metrics).dump(2) + "\n");
  cb.say("wrote " + run_file(run_dir, kMetricsFile));
  keep_for_report(in, output, result);
  return result;
}

RunMetrics evaluate_run(const std::string& run_dir, const RunCallbacks& cb,
                        const std::vector<std::string>& sets) {
  const RunOptions opts = load_run_options(run_config_path(run_dir), sets);
  const RunInputs in = prepare_run_inputs(opts, run_dir, cb);
  const ModelOutput output = model_kind_adapter(opts)->load(run_dir, in, opts);
  DistContext one_process;
  return evaluate_with_baselines(opts, in, output, cb, one_process);
}

}  // namespace towerrec

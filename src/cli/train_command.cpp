// towerrec train: one YAML-configured training run. Interface kept stable for scripts:
//   towerrec train --config FILE [--data DIR] [--split SPEC] [--out DIR] [--set key=value]...
//   towerrec train --resume DIR        (continue a killed or stopped run from its train_state.bin)
// --resume takes every option from DIR/config.yaml: a flag that would change the config is refused
// (a different config would not continue the same run; start a new one instead).
// Under torchrun (RANK, WORLD_SIZE, ... in the environment) each process is one rank of a
// data-parallel run (dist/dist_context.h); only rank 0 prints progress, logs and metrics.
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/progress_printer.h"
#include "config/yaml_config.h"
#include "core/error.h"
#include "core/output_lock.h"
#include "dist/dist_context.h"
#include "eval/run_metrics_json.h"
#include "run/run_directory.h"
#include "run/run_resume.h"
#include "train/threads.h"
#include "train/training_run.h"

namespace towerrec::cli {
namespace {

struct TrainArgs {
  std::string config, data, split, out, resume;
  std::vector<std::string> sets;
  bool quiet = false;
};

Registrar register_train([](CLI::App& root) {
  auto a = std::make_shared<TrainArgs>();
  CLI::App* sub = root.add_subcommand(
      "train",
      "Train a model from a YAML config and write a run directory (config, features, "
      "per-epoch metrics, best checkpoint, train_state.bin, metrics.json); every file is "
      "written to a temporary name and renamed, so a killed run leaves complete files. "
      "--resume DIR continues a killed or stopped two-tower run after its last completed "
      "epoch and ends with the same weights and metrics as an uninterrupted run (same "
      "train.threads)");
  sub->add_option("--config", a->config, "YAML run config (see configs/); required unless --resume")
      ->check(CLI::ExistingFile);
  sub->add_option("--resume", a->resume,
                  "continue the run in this directory from its train_state.bin (weights, Adam "
                  "state, shuffle RNG, epoch, early stopping); its config.yaml gives every option, "
                  "so --config, --data, --split, --out and --set are refused; a finished run is "
                  "not trained again. two-tower runs only (model.kind cf: train again)");
  sub->add_option("--data", a->data,
                  "dataset directory, overrides data.dir (format detected from the files present: "
                  "ratings.csv, u.data, ratings.dat, lab files)");
  sub->add_option("--split", a->split,
                  "split spec, overrides data.split: random:FRACTION:SEED | temporal:N | "
                  "ml100k:u1..u5,ua,ub");
  sub->add_option("--out", a->out, "run directory (default: models/<name>)");
  sub->add_option("--set", a->sets,
                  "override any config key, e.g. --set train.epochs=5 (repeatable)");
  sub->add_flag("-q,--quiet", a->quiet, "no progress output");
  sub->callback([a] {
    const bool resume = !a->resume.empty();
    if (resume && (!a->config.empty() || !a->data.empty() || !a->split.empty() || !a->out.empty() ||
                   !a->sets.empty()))
      throw UsageError("--resume " + a->resume + " takes every option from " +
                       run_file(a->resume, kRunConfigFile) +
                       "; drop --config, --data, --split, --out and --set (to train "
                       "with other options, start a new run)");
    if (!resume && a->config.empty())
      throw UsageError("train: expected --config FILE (a new run) or --resume DIR (continue one)");
    std::vector<std::string> sets = a->sets;
    if (!a->data.empty()) sets.push_back("data.dir=" + a->data);
    if (!a->split.empty()) sets.push_back("data.split=" + a->split);
    if (!a->out.empty()) sets.push_back("out=" + a->out);
    const RunOptions opts =
        resume ? load_resume_options(a->resume) : load_run_options(a->config, sets);
    set_threads(static_cast<int>(opts.train.threads));
    DistContext dist = DistContext::from_environment(opts.dist);
    // One writer per run directory, for the whole run; the other ranks write nothing.
    std::optional<OutputLock> lock;
    if (dist.is_root()) lock.emplace(OutputLock::directory(run_dir_for(opts)));
    const bool quiet = a->quiet || !dist.is_root();
    ProgressPrinter printer(quiet);
    RunCallbacks cb{printer.fn(), [&printer, quiet](const std::string& msg) {
                      printer.finish();
                      if (!quiet) std::cerr << msg << "\n";
                    }};
    if (dist.distributed() && dist.is_root())
      cb.log("distributed training: " + std::to_string(dist.world_size()) +
             " ranks (c10d/Gloo), global batch " + std::to_string(opts.train.batch_size));
    const RunResult result =
        run_training(opts, cb, &dist, resume ? RunStart::kResume : RunStart::kFresh);
    printer.finish();
    if (dist.is_root()) std::cout << run_metrics_json(result.metrics).dump(2) << "\n";
  });
});

}  // namespace
}  // namespace towerrec::cli

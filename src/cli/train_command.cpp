// towerrec train: one YAML-configured training run. Interface kept stable for scripts:
//   towerrec train --config FILE [--data DIR] [--split SPEC] [--out DIR] [--set key=value]...
// Under torchrun (RANK, WORLD_SIZE, ... in the environment) each process is one rank of a
// data-parallel run (train/distributed.h); only rank 0 prints progress, logs and metrics.
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/progress_printer.h"
#include "config/yaml_config.h"
#include "train/distributed.h"
#include "train/threads.h"
#include "train/training_run.h"

namespace towerrec::cli {
namespace {

struct TrainArgs {
  std::string config, data, split, out;
  std::vector<std::string> sets;
  bool quiet = false;
};

Registrar reg([](CLI::App& root) {
  auto a = std::make_shared<TrainArgs>();
  CLI::App* sub = root.add_subcommand(
      "train", "Train a model from a YAML config and write a run directory (config, features, "
               "per-epoch metrics, best checkpoint, metrics.json)");
  sub->add_option("--config", a->config, "YAML run config (see configs/)")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--data", a->data,
                  "dataset directory, overrides data.dir (format detected from the files present: "
                  "ratings.csv, u.data, ratings.dat, lab files)");
  sub->add_option("--split", a->split,
                  "split spec, overrides data.split: random:FRACTION:SEED | temporal:N | "
                  "ml100k:u1..u5,ua,ub");
  sub->add_option("--out", a->out, "run directory (default: models/<name>)");
  sub->add_option("--set", a->sets, "override any config key, e.g. --set train.epochs=5 (repeatable)");
  sub->add_flag("-q,--quiet", a->quiet, "no progress output");
  sub->callback([a] {
    std::vector<std::string> sets = a->sets;
    if (!a->data.empty()) sets.push_back("data.dir=" + a->data);
    if (!a->split.empty()) sets.push_back("data.split=" + a->split);
    if (!a->out.empty()) sets.push_back("out=" + a->out);
    const RunOptions opts = load_run_options(a->config, sets);
    set_threads(static_cast<int>(opts.train.threads));
    DistContext dist = DistContext::from_environment(opts.dist);
    const bool quiet = a->quiet || !dist.is_root();
    ProgressPrinter printer(quiet);
    RunCallbacks cb{printer.fn(), [&printer, quiet](const std::string& msg) {
                      printer.finish();
                      if (!quiet) std::cerr << msg << "\n";
                    }};
    if (dist.distributed() && dist.is_root())
      cb.log("distributed training: " + std::to_string(dist.world_size()) +
             " ranks (c10d/Gloo), global batch " + std::to_string(opts.train.batch_size));
    const nlohmann::json metrics = run_training(opts, cb, &dist);
    printer.finish();
    if (dist.is_root()) std::cout << metrics.dump(2) << "\n";
  });
});

}  // namespace
}  // namespace towerrec::cli

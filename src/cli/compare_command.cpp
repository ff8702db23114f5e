// towerrec compare: two-tower vs collaborative filtering vs baselines on one split.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/progress_printer.h"
#include "config/yaml_config.h"
#include "core/output_lock.h"
#include "train/model_comparison.h"
#include "train/threads.h"

namespace towerrec::cli {
namespace {

struct CompareArgs {
  std::string config, data, split, out;
  std::vector<std::string> sets;
  bool quiet = false;
};

Registrar register_compare([](CLI::App& root) {
  auto a = std::make_shared<CompareArgs>();
  CLI::App* sub = root.add_subcommand(
      "compare",
      "Train and evaluate the two-tower model, the CF model, the content regression "
      "(cf.item_features: content) and the mean, popularity and EASE^R baselines on one split, "
      "with accuracy and beyond-accuracy metrics; write compare.json, compare.md and report.html. "
      "EASE^R needs O(min(users, items)^2) memory (O(items^2) when users outnumber items): "
      "catalogues over eval.ease_max_items skip it");
  sub->add_option("--config", a->config, "YAML run config (the cf section configures the CF model)")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--data", a->data, "dataset directory, overrides data.dir");
  sub->add_option("--split", a->split,
                  "split spec, overrides data.split: random:FRACTION:SEED | temporal:N | "
                  "ml100k:u1..u5,ua,ub");
  sub->add_option("--out", a->out, "output directory")->required();
  sub->add_option("--set", a->sets, "override any config key (repeatable)");
  sub->add_flag("-q,--quiet", a->quiet, "no progress output");
  sub->callback([a] {
    std::vector<std::string> sets = a->sets;
    if (!a->data.empty()) sets.push_back("data.dir=" + a->data);
    if (!a->split.empty()) sets.push_back("data.split=" + a->split);
    const RunOptions opts = load_run_options(a->config, sets);
    const OutputLock lock = OutputLock::directory(a->out);
    set_threads(static_cast<int>(opts.train.threads));
    ProgressPrinter printer(a->quiet);
    RunCallbacks cb{printer.fn(), [&printer, a](const std::string& msg) {
                      printer.finish();
                      if (!a->quiet) std::cerr << msg << "\n";
                    }};
    const ComparisonTable table = compare_models(opts, a->out, cb);
    printer.finish();
    std::cout << table.to_markdown();
  });
});

}  // namespace
}  // namespace towerrec::cli

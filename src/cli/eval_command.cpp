// towerrec eval: re-evaluate a finished run on its test split, side by side with the baselines.
#include <filesystem>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/progress_printer.h"
#include "core/output_lock.h"
#include "eval/comparison.h"
#include "eval/run_metrics_json.h"
#include "run/run_directory.h"
#include "train/threads.h"
#include "train/training_run.h"

namespace towerrec::cli {
namespace {

struct EvalArgs {
  std::string run;
  std::vector<std::string> sets;
  bool json = false;
};

Registrar register_eval([](CLI::App& root) {
  auto a = std::make_shared<EvalArgs>();
  CLI::App* sub = root.add_subcommand(
      "eval",
      "Evaluate a trained run: RMSE/MAE (stars), Recall@K, NDCG@K and beyond-accuracy metrics "
      "(coverage, Gini, popularity, novelty, intra-list diversity of the top-K lists), beside the "
      "global-mean, user-mean, item-mean, popularity and EASE^R baselines on the same split. "
      "EASE^R needs O(min(users, items)^2) memory (O(items^2) when users outnumber items): "
      "catalogues over eval.ease_max_items skip it");
  sub->add_option("--run", a->run, "run directory written by `towerrec train`")
      ->required()
      ->check(CLI::ExistingDirectory);
  sub->add_option("--set", a->sets,
                  "override a key of the run's config.yaml, e.g. --set eval.ease_lambda=300 "
                  "(repeatable)");
  sub->add_flag("--json", a->json, "print JSON instead of a table");
  sub->callback([a] {
    // A run still training has no metrics.json yet: say so, then evaluate its last complete
    // checkpoint as for any run (every file of a run is written atomically).
    if (!std::filesystem::exists(run_file(a->run, kMetricsFile)))
      if (const std::optional<LockHolder> h = directory_lock_holder(a->run))
        std::cerr << "towerrec: " << a->run << ": run in progress: pid " << h->pid << " ("
                  << h->command << "); evaluating its last complete checkpoint\n";
    ProgressPrinter printer;
    set_threads(0);  // one per CPU: the ranking's top-K lists do not depend on it
    const RunMetrics m = evaluate_run(a->run, {printer.fn(), {}}, a->sets);
    printer.finish();
    if (a->json) {
      std::cout << run_metrics_json(m).dump(2) << "\n";
    } else {
      std::cout << m.comparison.to_markdown();
    }
  });
});

}  // namespace
}  // namespace towerrec::cli

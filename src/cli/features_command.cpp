// towerrec features: the exported towers' raw inputs as files, so Python can call them.
//   towerrec features --run DIR [--data DIR] (--users | --items) --out X.npy
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/serve_args.h"
#include "core/error.h"
#include "core/output_lock.h"
#include "run/current_run_data.h"
#include "serve/tower_inputs.h"

namespace towerrec::cli {
namespace {

struct FeaturesArgs {
  std::string run, data, out;
  bool users = false, items = false, quiet = false;
};

Registrar register_features([](CLI::App& root) {
  auto a = std::make_shared<FeaturesArgs>();
  CLI::App* sub = root.add_subcommand(
      "features",
      "Write the raw feature matrix the exported towers take (float32 .npy [rows, n_features] in "
      "towers.json's input order, unscaled), X.ids beside it (one id per line, row order, as "
      "embed), and for a tower with a bag X.bag_rows.npy and X.bag_items.npy (int64 [nnz]: row "
      "and vocabulary position of each entry): tower(x, bag_rows, bag_items) gives embed's "
      "vectors");
  sub->add_option("--run", a->run, "run directory written by `towerrec train`")
      ->required()
      ->check(CLI::ExistingDirectory);
  add_data_flag(sub, a->data);
  auto* u = sub->add_flag("--users", a->users, "every user's features");
  auto* i = sub->add_flag("--items", a->items, "every item's features");
  u->excludes(i);
  sub->add_option("--out", a->out, "output .npy path")->required();
  sub->add_flag("-q,--quiet", a->quiet, "no progress output");
  sub->callback([a] {
    if (!a->users && !a->items) throw UsageError("features: expected --users or --items");
    const OutputLock lock = OutputLock::file(a->out);  // X.npy, X.ids and the bag files
    ProgressPrinter printer(a->quiet);
    const RunData run = load_scoring_data(a->run, a->data, serve_callbacks(a->quiet, printer));
    if (run.options.model.kind != ModelKind::kTwoTower)
      throw UsageError(a->run + ": model.kind is " +
                       std::string(enum_name(run.options.model.kind)) +
                       "; features are the inputs of a two-tower run's towers");
    const TowerInputsSummary s = write_tower_inputs(run, a->users, a->out);
    printer.finish();
    std::cout << "wrote " << s.npy_path << " (" << s.rows << " x " << s.cols << " float32 raw "
              << (a->users ? "user" : "item") << " features) and " << s.ids_path;
    if (!s.bag_rows_path.empty())
      std::cout << ", " << s.bag_rows_path << " and " << s.bag_items_path << " (" << s.bag_entries
                << " bag entries)";
    std::cout << "\n";
  });
});

}  // namespace
}  // namespace towerrec::cli

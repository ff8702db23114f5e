// towerrec export: a trained two-tower run as two TorchScript modules plus towers.json.
//   towerrec export --run DIR [--out DIR]
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "core/output_lock.h"
#include "serve/torchscript_export.h"

namespace towerrec::cli {
namespace {

struct ExportArgs {
  std::string run, out;
};

Registrar register_export([](CLI::App& root) {
  auto a = std::make_shared<ExportArgs>();
  CLI::App* sub = root.add_subcommand(
      "export",
      "Export a trained two-tower run as TorchScript: user_tower.pt and item_tower.pt take "
      "RAW features [batch, n] float32 (scaling baked in) and return L2-normalised vectors "
      "[batch, dim]; towers.json lists the features, dim and target scale");
  sub->add_option("--run", a->run, "run directory written by `towerrec train`")
      ->required()
      ->check(CLI::ExistingDirectory);
  sub->add_option("--out", a->out, "export directory (default: <run>/towers)");
  sub->callback([a] {
    const std::string out = a->out.empty() ? a->run + "/towers" : a->out;
    const OutputLock lock = OutputLock::directory(out);
    const ExportResult r = export_run_towers(a->run, out);
    std::cout << "wrote " << r.user_tower << " (" << r.user_features << " user features -> dim "
              << r.dim << ")\n"
              << "wrote " << r.item_tower << " (" << r.item_features << " item features -> dim "
              << r.dim << ")\n"
              << "wrote " << r.towers_json << "\n";
  });
});

}  // namespace
}  // namespace towerrec::cli

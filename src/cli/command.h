// Subcommand registry. Each cli/<verb>.cpp registers itself with a static Registrar, so adding a
// verb touches no other file. The setup function adds the subcommand to the app and sets its
// callback; the callback throws towerrec::Error (exit 1) or UsageError (exit 2) and never calls
// exit().
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/blas_kernel.h"

namespace CLI {
class App;
}

namespace towerrec::cli {

using CommandSetup = std::function<void(CLI::App& root)>;

std::vector<CommandSetup>& command_registry();

// What main() decided about OpenBLAS's kernel at start-up (core/blas_kernel.h). main() sets it once
// by passing `set`; verbs read it with no argument.
const BlasPlan& blas_startup(const BlasPlan* set = nullptr);

struct Registrar {
  explicit Registrar(CommandSetup setup) { command_registry().push_back(std::move(setup)); }
};

}  // namespace towerrec::cli

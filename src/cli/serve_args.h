// Flags shared by the offline verbs (embed, recommend, similar): where the vectors come from
// (--run and/or --towers) and the serve options (the run's config.yaml, or --config, plus --set).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/progress_printer.h"
#include "config/options.h"
#include "serve/vector_source.h"

namespace CLI {
class App;
}

namespace towerrec::cli {

struct ServeArgs {
  std::string run, towers, config;
  std::string data;  // --data: today's data dir (run/current_run_data.h); empty: the run's
  std::vector<std::string> sets;
  bool quiet = false;
};

// Adds --run, --towers, --data, --config, --set and -q to `sub`.
void add_serve_flags(CLI::App* sub, ServeArgs& a);

// Loads the run (and towers), logging to stderr unless quiet (warnings are printed even then).
VectorSource open_vector_source(const ServeArgs& a, ProgressPrinter& printer);

// The callbacks open_vector_source logs through (for verbs that read a run without vectors).
RunCallbacks serve_callbacks(bool quiet, ProgressPrinter& printer);

// --data DIR (today's data) for `sub`, stored in `dir`.
void add_data_flag(CLI::App* sub, std::string& dir);

// The serve section of --config (or of the run's config.yaml) with --set applied; `extra` are more
// "key=value" overrides (from dedicated flags such as --k).
ServeOptions load_serve_options(const ServeArgs& a, const VectorSource& source,
                                const std::vector<std::string>& extra = {});

}  // namespace towerrec::cli

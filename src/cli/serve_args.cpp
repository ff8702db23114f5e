#include "cli/serve_args.h"

#include <iostream>

#include <CLI/CLI.hpp>

#include "config/yaml_config.h"
#include "run/run_directory.h"
#include "train/threads.h"

namespace towerrec::cli {

void add_serve_flags(CLI::App* sub, ServeArgs& a) {
  sub->add_option("--run", a.run,
                  "run directory written by `towerrec train` (vectors from model.ckpt)")
      ->check(CLI::ExistingDirectory);
  sub->add_option(
         "--towers", a.towers,
         "exported towers directory (`towerrec export`); the run comes from its towers.json "
         "unless --run is given")
      ->check(CLI::ExistingDirectory);
  add_data_flag(sub, a.data);
  sub->add_option("--config", a.config,
                  "YAML whose serve section is used (default: the run's config.yaml)")
      ->check(CLI::ExistingFile);
  sub->add_option("--set", a.sets,
                  "override a config key, e.g. --set serve.threads=2 (repeatable)");
  sub->add_flag("-q,--quiet", a.quiet, "no progress output");
}

void add_data_flag(CLI::App* sub, std::string& dir) {
  sub->add_option("--data", dir,
                  "score today's data instead of the run's: a dataset directory in the run's "
                  "format; its users and items (new ones too) get features with the run's "
                  "fitted vocabularies and scaling, and its ratings are the seen items")
      ->check(CLI::ExistingDirectory);
}

RunCallbacks serve_callbacks(bool quiet, ProgressPrinter& printer) {
  return RunCallbacks{printer.fn(), [&printer, quiet](const std::string& msg) {
                        printer.finish();
                        if (!quiet || msg.rfind("warning: ", 0) == 0) std::cerr << msg << "\n";
                      }};
}

VectorSource open_vector_source(const ServeArgs& a, ProgressPrinter& printer) {
  set_threads(1);
  return VectorSource::open({a.run, a.towers, a.data}, serve_callbacks(a.quiet, printer));
}

ServeOptions load_serve_options(const ServeArgs& a, const VectorSource& source,
                                const std::vector<std::string>& extra) {
  std::vector<std::string> sets = a.sets;
  sets.insert(sets.end(), extra.begin(), extra.end());
  const std::string config =
      a.config.empty() ? run_file(source.run().dir, kRunConfigFile) : a.config;
  return load_run_options(config, sets).serve;
}

}  // namespace towerrec::cli

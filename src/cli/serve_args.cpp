#include "cli/serve_args.h"

#include <iostream>

#include <CLI/CLI.hpp>

#include "config/yaml_config.h"
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
  sub->add_option("--config", a.config,
                  "YAML whose serve section is used (default: the run's config.yaml)")
      ->check(CLI::ExistingFile);
  sub->add_option("--set", a.sets,
                  "override a config key, e.g. --set serve.threads=2 (repeatable)");
  sub->add_flag("-q,--quiet", a.quiet, "no progress output");
}

VectorSource open_vector_source(const ServeArgs& a, ProgressPrinter& printer) {
  set_threads(1);
  const bool quiet = a.quiet;
  RunCallbacks cb{printer.fn(), [&printer, quiet](const std::string& msg) {
                    printer.finish();
                    if (!quiet) std::cerr << msg << "\n";
                  }};
  return VectorSource::open({a.run, a.towers}, cb);
}

ServeOptions load_serve_options(const ServeArgs& a, const VectorSource& source,
                                const std::vector<std::string>& extra) {
  std::vector<std::string> sets = a.sets;
  sets.insert(sets.end(), extra.begin(), extra.end());
  const std::string config = a.config.empty() ? source.run().dir + "/config.yaml" : a.config;
  return load_run_options(config, sets).serve;
}

}  // namespace towerrec::cli

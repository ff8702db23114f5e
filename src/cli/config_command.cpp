// towerrec config: print the effective config (defaults + file + --set) or document every key.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "config/yaml_config.h"

namespace towerrec::cli {
namespace {

struct ConfigArgs {
  std::string config;
  std::vector<std::string> sets;
  bool keys = false;
};

Registrar register_config([](CLI::App& root) {
  auto args = std::make_shared<ConfigArgs>();
  CLI::App* sub = root.add_subcommand(
      "config", "Print the effective run config (every default written out), or list every key");
  sub->add_option("--config", args->config, "YAML run config (omit for the defaults)")
      ->check(CLI::ExistingFile);
  sub->add_option("--set", args->sets, "override a key, e.g. --set train.lr=0.01 (repeatable)");
  sub->add_flag("--keys", args->keys, "list every key with its default and meaning");
  sub->callback([args] {
    if (args->keys) {
      std::cout << describe_run_options();
      return;
    }
    std::cout << dump_run_options(load_run_options(args->config, args->sets));
  });
});

}  // namespace
}  // namespace towerrec::cli

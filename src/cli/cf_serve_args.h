// recommend's new-user mode: `--new-users FILE` (with `--skip-unknown-items`, `--print`,
// `--retrain`) scores users a collaborative-filtering run never saw (serve/cf_new_users.h,
// serve/cf_lab_retrain.h). Kept apart from recommend_command.cpp so the verb's exact and retrieval
// paths stay as they are.
#pragma once

#include <string>
#include <vector>

#include "cli/serve_args.h"

namespace CLI {
class App;
}

namespace towerrec::cli {

struct NewUsersArgs {
  std::string file;
  bool skip_unknown_items = false;
  bool print = false;
  bool retrain = false;
};

// Adds --new-users, --skip-unknown-items, --print and --retrain to `sub`.
void add_new_users_flags(CLI::App* sub, NewUsersArgs& a);

// True when --run names a cf run and no --towers are given.
bool is_cf_run(const ServeArgs& serve);

// recommend on a cf run (the caller holds the output lock of `out`): the new users of a.file when
// set, else the run's users (`users`: a file of ids, empty = all). `extra` are "key=value"
// overrides from the verb's own flags (--k, --threads). Prints a summary to stdout.
void recommend_cf_cli(const ServeArgs& serve, const NewUsersArgs& a, const std::string& out,
                      const std::string& users, const std::string& exclude,
                      const std::vector<std::string>& extra);

// similar on a cf run: related items of --item `item` or the ids in file `items`, to `out` (empty:
// stdout; the caller holds its lock).
void similar_cf_cli(const ServeArgs& serve, const std::string& item, const std::string& items,
                    const std::string& out, const std::vector<std::string>& extra);

}  // namespace towerrec::cli

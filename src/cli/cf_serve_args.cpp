#include "cli/cf_serve_args.h"

#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "config/yaml_config.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "run/run_directory.h"
#include "serve/cf_lab_retrain.h"
#include "serve/cf_new_users.h"
#include "serve/cf_recommender.h"
#include "serve/id_list.h"
#include "serve/new_user_ratings.h"
#include "train/threads.h"

namespace towerrec::cli {

void add_new_users_flags(CLI::App* sub, NewUsersArgs& a) {
  sub->add_option("--new-users", a.file,
                  "CSV user_id,item_id,rating of users the run did not see (a row ID,, names a "
                  "user with no ratings): each is folded into a CF run (--run, model.kind cf) "
                  "against its item features and scored over the catalogue")
      ->check(CLI::ExistingFile);
  sub->add_flag("--skip-unknown-items", a.skip_unknown_items,
                "with --new-users: drop rows whose item the run does not know (counted) instead of "
                "failing");
  sub->add_flag("--print", a.print,
                "with --new-users: also print each new user's list on stdout, with titles");
  sub->add_flag("--retrain", a.retrain,
                "with --new-users on a course-lab cf run (data.format cf_lab): train again on all "
                "the lab's ratings with the one new user included, as the lab's closing exercise "
                "does, instead of folding them in");
}

namespace {

struct OpenCfRun {
  explicit OpenCfRun(bool quiet) : printer(quiet) {}
  ProgressPrinter printer;
  CfRun cf;
  ServeOptions opts;
};

// The run, and its serve options (--config or the run's config.yaml, then --set and `extra`).
std::unique_ptr<OpenCfRun> open_cf(const ServeArgs& serve, const std::vector<std::string>& extra) {
  set_threads(1);
  auto o = std::make_unique<OpenCfRun>(serve.quiet);
  ProgressPrinter& printer = o->printer;
  const bool quiet = serve.quiet;
  const RunCallbacks cb{printer.fn(), [&printer, quiet](const std::string& msg) {
                          printer.finish();
                          if (!quiet) std::cerr << msg << "\n";
                        }};
  o->cf = open_cf_run(serve.run, cb);
  std::vector<std::string> sets = serve.sets;
  sets.insert(sets.end(), extra.begin(), extra.end());
  o->opts = load_run_options(
                serve.config.empty() ? run_file(serve.run, kRunConfigFile) : serve.config, sets)
                .serve;
  return o;
}

}  // namespace

bool is_cf_run(const ServeArgs& serve) {
  if (serve.run.empty() || !serve.towers.empty()) return false;
  return is_run_directory(serve.run) &&
         load_run_options(run_file(serve.run, kRunConfigFile)).model.kind == ModelKind::kCf;
}

void similar_cf_cli(const ServeArgs& serve, const std::string& item, const std::string& items,
                    const std::string& out, const std::vector<std::string>& extra) {
  const auto o = open_cf(serve, extra);
  const IdMap& ids = o->cf.run.data.items;
  const std::vector<int32_t> of =
      items.empty() ? std::vector<int32_t>{resolve_id(ids, item, "--item", "item")}
                    : read_id_list(items, ids, "item");
  if (out.empty()) {
    related_cf_items(o->cf, o->opts, of, std::cout, o->printer.fn());
    o->printer.finish();
    return;
  }
  AtomicFile f(out);
  const RelatedSummary s = related_cf_items(o->cf, o->opts, of, f.stream(), o->printer.fn());
  f.commit();
  o->printer.finish();
  std::cerr << "wrote " << out << " (" << s.rows << " rows for " << s.items << " items)\n";
}

void recommend_cf_cli(const ServeArgs& serve, const NewUsersArgs& a, const std::string& out,
                      const std::string& users_file, const std::string& exclude,
                      const std::vector<std::string>& extra) {
  if (serve.run.empty() || !serve.towers.empty())
    throw UsageError("recommend --new-users: expected --run DIR (a cf run) and no --towers");
  const auto o = open_cf(serve, extra);
  const CfRun& cf = o->cf;
  const ServeOptions& opts = o->opts;
  ProgressPrinter& printer = o->printer;
  std::vector<int32_t> excluded;
  if (!exclude.empty()) excluded = read_id_list(exclude, cf.run.data.items, "item");
  if (a.file.empty()) {
    RecommendRequest req;
    if (!users_file.empty()) req.users = read_id_list(users_file, cf.run.data.users, "user");
    req.excluded_items = excluded;
    const RecommendSummary s = recommend_cf(cf, opts, req, out, printer.fn());
    printer.finish();
    std::cout << "wrote " << out << " (" << s.rows << " rows, " << s.users << " users, top-"
              << opts.k << " by the cf model of " << serve.run << ")\n";
    return;
  }
  NewUserReadOptions ro;
  ro.rating_min = cf.run.data.rating_min;
  ro.rating_max = cf.run.data.rating_max;
  ro.allow_labels = cf.model.binary();
  ro.skip_unknown_items = a.skip_unknown_items;
  const NewUserRatings users = read_new_user_ratings(a.file, cf.run.data, ro);
  const NewUserSummary s =
      a.retrain ? recommend_lab_new_user(cf, users, opts, excluded, out, printer.fn())
                : recommend_new_users(cf, users, opts, excluded, out, printer.fn());
  printer.finish();
  std::cout << "wrote " << out << " (" << s.rows << " rows, " << s.users << " new users, top-"
            << opts.k
            << (a.retrain ? " after training again with them in " : " after folding them into ")
            << serve.run << ")\n";
  if (s.cold_users > 0)
    std::cout << s.cold_users << " new user(s) with no usable ratings got the item-mean list\n";
  if (users.duplicates > 0)
    std::cout << users.duplicates << " duplicate (user, item) row(s): the later rating kept\n";
  if (users.unknown_items_skipped > 0)
    std::cout << users.unknown_items_skipped
              << " row(s) with an item the run does not know skipped\n";
  if (!a.print) return;
  const std::vector<std::string>& titles = cf.run.data.item_meta.title;
  for (const NewUserList& l : s.lists) {
    std::cout << "user " << l.user_id << ":\n";
    for (size_t r = 0; r < l.items.size(); ++r) {
      const int32_t i = l.items[r];
      std::cout << "  " << r + 1 << ". predicting " << l.scores[r] << " for "
                << (static_cast<size_t>(i) < titles.size() && !titles[i].empty()
                        ? titles[i]
                        : "item " + std::to_string(cf.run.data.items.id(i)))
                << "\n";
    }
  }
}

}  // namespace towerrec::cli

// towerrec recommend: top-K items per user over the whole catalogue, exact or by retrieval +
// ranking.
//   towerrec recommend (--run DIR | --towers DIR) --out recs.csv [--k 10] [--users FILE]
//                      [--exclude FILE] [--retrieval [--index FILE]] [--data DIR] [--titles]
//                      [--config FILE] [--set k=v]...
//   towerrec recommend --run CF_RUN --new-users FILE --out recs.csv [--skip-unknown-items]
//   [--print]
#include <filesystem>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/cf_serve_args.h"
#include "cli/command.h"
#include "cli/serve_args.h"
#include "core/error.h"
#include "core/output_lock.h"
#include "serve/exact_recommender.h"
#include "serve/id_list.h"
#include "serve/retrieval.h"

namespace towerrec::cli {
namespace {

struct RecommendArgs {
  ServeArgs serve;
  std::string out, users, exclude, index;
  int64_t k = 0, threads = 0;
  bool retrieval = false, titles = false;
  NewUsersArgs new_users;
};

Registrar register_recommend([](CLI::App& root) {
  auto a = std::make_shared<RecommendArgs>();
  CLI::App* sub = root.add_subcommand(
      "recommend",
      "Top-K items per user by the towers' dot product, never an item the user rated in training "
      "(with --data: in today's data) "
      "(serve.exclude_seen) or one in --exclude. Exact by default (blocked GEMM + partial "
      "selection "
      "over the whole catalogue); --retrieval: candidates from the generators in serve.retrieval "
      "and/or an hnswlib index, ranked by the towers, with recall@K vs exact in "
      "<out>.retrieval.json. On a cf run (model.kind cf): the cf model's predictions; --new-users: "
      "users the run "
      "did not see, folded in from their ratings. CSV columns: user_id,rank,item_id,score");
  add_serve_flags(sub, a->serve);
  sub->add_option("--out", a->out, "output CSV")->required();
  sub->add_option("--k", a->k, "recommendations per user (serve.k)")->check(CLI::PositiveNumber);
  sub->add_option("--threads", a->threads, "scoring threads (serve.threads; default: one per CPU)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--users", a->users, "file of user ids, one per line (default: every user)")
      ->check(CLI::ExistingFile);
  sub->add_option("--exclude", a->exclude, "file of item ids never to recommend, one per line")
      ->check(CLI::ExistingFile);
  sub->add_flag("--retrieval", a->retrieval, "retrieval + ranking instead of exact scoring");
  sub->add_option(
      "--index", a->index,
      "ANN index file for --retrieval: loaded when it exists, else built and saved there");
  sub->add_flag("--titles", a->titles,
                "add a title column (the item's catalogue title, CSV-quoted)");
  add_new_users_flags(sub, a->new_users);
  sub->callback([a] {
    const OutputLock lock = OutputLock::file(a->out);  // the CSV and its .retrieval.json
    std::vector<std::string> extra;
    if (a->k > 0) extra.push_back("serve.k=" + std::to_string(a->k));
    if (a->threads > 0) extra.push_back("serve.threads=" + std::to_string(a->threads));
    if (!a->new_users.file.empty() || is_cf_run(a->serve)) {
      if (a->retrieval)
        throw UsageError("recommend: --retrieval needs a two-tower run (cf runs score exactly)");
      if (!a->serve.data.empty() || a->titles)
        throw UsageError(std::string("recommend: ") + (a->titles ? "--titles" : "--data") +
                         " needs a two-tower run (cf runs: --new-users, --print)");
      if (!a->new_users.file.empty() && !a->users.empty())
        throw UsageError("recommend: --users lists the run's users; --new-users brings others");
      recommend_cf_cli(a->serve, a->new_users, a->out, a->users, a->exclude, extra);
      return;
    }
    // An index that exists is only read; one that is built here is written, by one process.
    std::optional<OutputLock> index_lock;
    if (a->retrieval && !a->index.empty() && !std::filesystem::exists(a->index))
      index_lock.emplace(OutputLock::file(a->index));
    ProgressPrinter printer(a->serve.quiet);
    const VectorSource source = open_vector_source(a->serve, printer);
    const ServeOptions opts = load_serve_options(a->serve, source, extra);
    RecommendRequest req;
    req.titles = a->titles;
    if (!a->users.empty()) req.users = read_id_list(a->users, source.run().data.users, "user");
    if (!a->exclude.empty())
      req.excluded_items = read_id_list(a->exclude, source.run().data.items, "item");
    if (a->retrieval) {
      const RetrievalReport r =
          recommend_retrieval(source, opts, req, a->out, a->index, printer.fn());
      printer.finish();
      // Recall as the report file has it (JSON number, or null).
      const auto recall = [](const std::optional<double>& v) {
        return v ? nlohmann::json(*v).dump() : std::string("null");
      };
      std::cout << "wrote " << a->out << " (" << r.rows << " rows, " << r.users << " users, "
                << r.candidates_per_user << " candidates per user, " << r.users_per_s
                << " users/s)\n"
                << "recall@" << opts.k << " vs exact on " << r.recall_users
                << " users: " << recall(r.recall_at_k) << " (by item id "
                << recall(r.recall_at_k_ids) << "; exact " << r.exact_users_per_s
                << " users/s)\nwrote " << retrieval_report_path(a->out) << "\n";
    } else {
      const RecommendSummary s = recommend_exact(source, opts, req, a->out, printer.fn());
      printer.finish();
      std::cout << "wrote " << a->out << " (" << s.rows << " rows, " << s.users
                << " users, exact top-" << opts.k << ", " << s.users_per_s << " users/s on "
                << opts.scoring_threads() << " thread(s))\n";
    }
  });
});

}  // namespace
}  // namespace towerrec::cli

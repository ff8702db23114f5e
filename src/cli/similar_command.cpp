// towerrec similar: related items by nearest item vectors.
//   towerrec similar (--run DIR | --towers DIR) (--item ID | --items FILE) [--k 10] [--out FILE]
//                    [--data DIR] [--titles]
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>

#include "cli/cf_serve_args.h"
#include "cli/command.h"
#include "cli/serve_args.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/output_lock.h"
#include "data/dataset.h"
#include "serve/id_list.h"
#include "serve/related_items.h"

namespace towerrec::cli {
namespace {

struct SimilarArgs {
  ServeArgs serve;
  std::string item, items, out;
  int64_t k = 0, threads = 0;
  bool titles = false;
};

Registrar register_similar([](CLI::App& root) {
  auto a = std::make_shared<SimilarArgs>();
  CLI::App* sub = root.add_subcommand(
      "similar",
      "Related items: the K items with the nearest vectors (smallest ‖v_k − v_i‖², the "
      "same order as the dot product for the towers' unit vectors; cf runs: the model's item "
      "features x_i), never the item itself. "
      "CSV columns: item_id,rank,similar_item_id,distance");
  add_serve_flags(sub, a->serve);
  auto* one = sub->add_option("--item", a->item, "item id");
  auto* many = sub->add_option("--items", a->items, "file of item ids, one per line (batch form)")
                   ->check(CLI::ExistingFile);
  one->excludes(many);
  sub->add_option("--k", a->k, "related items per item (serve.k)")->check(CLI::PositiveNumber);
  sub->add_option("--threads", a->threads, "scoring threads (serve.threads; default: one per CPU)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--out", a->out, "output CSV (default: stdout)");
  sub->add_flag("--titles", a->titles,
                "add a title column (the similar item's catalogue title, CSV-quoted)");
  sub->callback([a] {
    if (a->item.empty() && a->items.empty())
      throw UsageError("similar: expected --item ID or --items FILE");
    std::optional<OutputLock> lock;
    if (!a->out.empty()) lock.emplace(OutputLock::file(a->out));
    std::vector<std::string> extra;
    if (a->k > 0) extra.push_back("serve.k=" + std::to_string(a->k));
    if (a->threads > 0) extra.push_back("serve.threads=" + std::to_string(a->threads));
    if (is_cf_run(a->serve)) {
      if (!a->serve.data.empty() || a->titles)
        throw UsageError(std::string("similar: ") + (a->titles ? "--titles" : "--data") +
                         " needs a two-tower run");
      return similar_cf_cli(a->serve, a->item, a->items, a->out, extra);
    }
    ProgressPrinter printer(a->serve.quiet);
    const VectorSource source = open_vector_source(a->serve, printer);
    const ServeOptions opts = load_serve_options(a->serve, source, extra);
    const IdMap& items = source.run().data.items;
    RelatedRequest req;
    req.items = a->items.empty()
                    ? std::vector<int32_t>{resolve_id(items, a->item, "--item", "item")}
                    : read_id_list(a->items, items, "item");
    req.titles = a->titles;
    if (a->out.empty()) {
      related_items(source, opts, req, std::cout, printer.fn());
      printer.finish();
    } else {
      AtomicFile f(a->out);
      const RelatedSummary s = related_items(source, opts, req, f.stream(), printer.fn());
      f.commit();
      printer.finish();
      std::cerr << "wrote " << a->out << " (" << s.rows << " rows for " << s.items << " items)\n";
    }
  });
});

}  // namespace
}  // namespace towerrec::cli

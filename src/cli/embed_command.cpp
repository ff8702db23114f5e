// towerrec embed: the vectors of the whole catalogue (or of every user) as .npy plus ids.
//   towerrec embed (--run DIR | --towers DIR) --out items.npy [--users] [--data DIR]
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/serve_args.h"
#include "core/output_lock.h"
#include "serve/catalogue_embedding.h"

namespace towerrec::cli {
namespace {

struct EmbedArgs {
  ServeArgs serve;
  std::string out;
  bool users = false;
};

Registrar register_embed([](CLI::App& root) {
  auto a = std::make_shared<EmbedArgs>();
  CLI::App* sub = root.add_subcommand(
      "embed",
      "Write the vectors of every catalogue item (rated or not) or, with --users, of every "
      "user: float32 .npy [rows, dim] (numpy.load reads it) and X.ids beside X.npy, one id per "
      "line in row order. With --data: the users and items of today's data, new ones included");
  add_serve_flags(sub, a->serve);
  sub->add_option("--out", a->out, "output .npy path (ids go to the same name with .ids)")
      ->required();
  sub->add_flag("--users", a->users, "embed users instead of items");
  sub->callback([a] {
    const OutputLock lock = OutputLock::file(a->out);  // X.npy and X.ids
    ProgressPrinter printer(a->serve.quiet);
    const VectorSource source = open_vector_source(a->serve, printer);
    const EmbedSummary s = embed_catalogue(source, a->users, a->out, printer.fn());
    printer.finish();
    std::cout << "wrote " << s.npy_path << " (" << s.rows << " x " << s.dim << " float32, "
              << source.description() << ") and " << s.ids_path << " in " << s.seconds << " s\n";
  });
});

}  // namespace
}  // namespace towerrec::cli

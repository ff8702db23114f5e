// towerrec inspect DIR: read a dataset directory and print what it holds (counts, sparsity, rating
// histogram, genres, demographics, duplicates dropped). Bad input exits 1 with the file:line
// message.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/progress_printer.h"
#include "data/dataset_reader.h"
#include "data/dataset_stats.h"

namespace towerrec::cli {
namespace {

struct InspectArgs {
  std::string dir;
  DataOptions data;
  bool quiet = false;
};

Registrar register_inspect([](CLI::App& root) {
  auto args = std::make_shared<InspectArgs>();
  CLI::App* sub = root.add_subcommand("inspect", "Read a dataset directory and summarise it");
  sub->add_option("dir", args->dir, "dataset directory")->required();
  sub->add_option("--format", args->data.format, "input format (auto detects it)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "movielens", "ml100k", "ml1m", "content_lab", "cf_lab"}));
  sub->add_option("--duplicates", args->data.duplicates,
                  "repeated (user, item) ratings: keep the latest (last) or fail (error)")
      ->capture_default_str()
      ->check(CLI::IsMember({"last", "error"}));
  sub->add_option("--rating-min", args->data.rating_min, "lowest valid rating")
      ->capture_default_str();
  sub->add_option("--rating-max", args->data.rating_max, "highest valid rating")
      ->capture_default_str();
  sub->add_flag("--quiet", args->quiet, "no progress lines on stderr");
  sub->callback([args] {
    ProgressPrinter printer(args->quiet);
    const Dataset data = read_dataset(args->dir, args->data, printer.fn());
    printer.finish();
    std::cout << format_dataset_stats(compute_dataset_stats(data));
  });
});

}  // namespace
}  // namespace towerrec::cli

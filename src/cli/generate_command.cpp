// towerrec generate: write a synthetic dataset (MovieLens-latest layout) from the planted model.
// Flags are SyntheticOptions' fields (--ratings-per-user or --ratings_per_user, ...).
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/progress_printer.h"
#include "config/options.h"
#include "core/error.h"
#include "core/output_lock.h"
#include "data/synthetic_generator.h"

namespace towerrec::cli {
namespace {

struct GenerateArgs {
  std::string out;
  bool force = false;
  bool quiet = false;
  SyntheticOptions opts;
};

std::string dashed(std::string key) {
  for (char& c : key)
    if (c == '_') c = '-';
  return key;
}

// Adds one CLI option per options field, so the flags can never drift from the struct.
struct FlagAdder {
  CLI::App* app;
  template <class T>
  void field(const char* key, T& value, const char* doc, const Check& check = Check::any()) {
    std::string names = "--" + dashed(key);
    if (names != std::string("--") + key) names += std::string(",--") + key;
    app->add_option(names, value, doc)->capture_default_str();
  }
};

// The library names fields as config keys ("synthetic.users: ..."); name them as flags here.
std::string as_flag_message(const std::string& message) {
  const std::string prefix = "synthetic.";
  if (message.rfind(prefix, 0) != 0) return message;
  const size_t colon = message.find(':');
  return "--" + dashed(message.substr(prefix.size(), colon - prefix.size())) +
         message.substr(colon);
}

void run(const GenerateArgs& args) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(args.out, ec) && !fs::is_directory(args.out, ec))
    throw Error("--out " + args.out + ": expected a directory, found a file");
  std::unique_ptr<SyntheticGenerator> gen;
  try {
    gen = std::make_unique<SyntheticGenerator>(args.opts);
  } catch (const UsageError& e) {
    throw UsageError(as_flag_message(e.what()));
  }
  const OutputLock lock = OutputLock::directory(args.out);
  if (!args.force)
    for (fs::directory_iterator it(args.out, ec), end; !ec && it != end; it.increment(ec))
      if (it->path().filename() != kDirLockFile)
        throw Error("--out " + args.out +
                    ": directory is not empty; pass --force to overwrite its dataset files");
  ProgressPrinter printer(args.quiet);
  const SyntheticSummary s = gen->write(args.out, printer.fn());
  printer.finish();
  std::cout << "wrote " << args.out << ": " << s.users << " users, " << s.items << " items, "
            << s.ratings << " ratings (mean " << s.mean_rating << ")\n";
}

Registrar register_generate([](CLI::App& root) {
  auto args = std::make_shared<GenerateArgs>();
  CLI::App* sub = root.add_subcommand(
      "generate",
      "Write a synthetic dataset (ratings.csv, movies.csv, users.csv) from a planted model");
  sub->add_option("--out", args->out, "output directory (created if missing)")->required();
  sub->add_flag("--force", args->force,
                "write into a non-empty directory, replacing dataset files");
  sub->add_flag("-q,--quiet", args->quiet, "no progress output");
  FlagAdder adder{sub};
  args->opts.visit(adder);
  sub->callback([args] { run(*args); });
});

}  // namespace
}  // namespace towerrec::cli

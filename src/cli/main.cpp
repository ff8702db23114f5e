// towerrec: the thin CLI. Parses flags (CLI11), calls one library entry point per verb, and maps
// errors to exit codes: 0 ok, 1 failure (bad input, I/O), 2 usage (bad flags or config values).
#include <malloc.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "core/blas.h"
#include "core/blas_kernel.h"
#include "core/error.h"
#include "core/simd_level.h"

namespace towerrec::cli {

std::vector<CommandSetup>& command_registry() {
  static std::vector<CommandSetup> registry;
  return registry;
}

const BlasPlan& blas_startup(const BlasPlan* set) {
  static BlasPlan plan;
  if (set) plan = *set;
  return plan;
}

}  // namespace towerrec::cli

namespace {

std::optional<std::string> env_value(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v ? std::optional<std::string>(v) : std::nullopt;
}

void set_env(const std::string& name, const std::optional<std::string>& value) {
  if (value) {
    ::setenv(name.c_str(), value->c_str(), 1);
  } else {
    ::unsetenv(name.c_str());
  }
}

// OpenBLAS's kernel (core/blas_kernel.h): may replace this process image with itself under a
// better OPENBLAS_CORETYPE, before any work is done. Returns what was decided in this image.
towerrec::BlasPlan choose_blas_kernel(char** argv) {
  towerrec::BlasPlan plan = towerrec::plan_blas_kernel(towerrec::probe_process_blas(), env_value);
  std::vector<std::pair<std::string, std::optional<std::string>>> before;
  for (const auto& [name, value] : plan.env) {
    before.emplace_back(name, env_value(name));
    set_env(name, value);
  }
  if (!plan.reexec) return plan;
  ::execv("/proc/self/exe", argv);
  const int err = errno;
  for (auto it = before.rbegin(); it != before.rend(); ++it) set_env(it->first, it->second);
  plan.reexec = false;
  plan.note = std::string("BLAS: could not restart with another OpenBLAS kernel (") +
              std::strerror(err) + "); staying on " + towerrec::blas_core_name();
  return plan;
}

// -q/--quiet of any verb silences the start-up line too; the line is due before CLI11 has parsed
// anything (a verb's callback runs inside parse), so the flag is looked for by hand.
bool quiet_flag(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "-q") == 0 || std::strcmp(argv[i], "--quiet") == 0) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  // glibc returns freed multi-MB blocks to the OS, so every training step page-faults its tensors
  // back in (measured: 40k vs 225k rows/s at batch 4096). Keep freed memory in the heap instead.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);

  const towerrec::BlasPlan blas = choose_blas_kernel(argv);
  towerrec::cli::blas_startup(&blas);
  if (!blas.note.empty() && !quiet_flag(argc, argv))
    std::fprintf(stderr, "towerrec: %s\n", blas.note.c_str());

  // A bad TOWERREC_SIMD is a usage error; refuse it before any work instead of mid-run.
  try {
    towerrec::simd_level();
  } catch (const towerrec::Error& e) {
    std::fprintf(stderr, "towerrec: %s\n", e.what());
    return 2;
  }

  CLI::App app{"towerrec: two-tower content-based recommender (LibTorch)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", TOWERREC_VERSION);
  for (const auto& setup : towerrec::cli::command_registry()) setup(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const towerrec::ConfigError& e) {
    std::fprintf(stderr, "towerrec: %s\n", e.what());
    return 2;
  } catch (const towerrec::UsageError& e) {
    std::fprintf(stderr, "towerrec: %s\n", e.what());
    return 2;
  } catch (const towerrec::Error& e) {
    std::fprintf(stderr, "towerrec: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "towerrec: unexpected error: %s\n", e.what());
    return 1;
  }
  return 0;
}

// towerrec inspect DIR: read a dataset directory and print what it holds (counts, sparsity, rating
// histogram, genres, demographics, duplicates dropped). Bad input exits 1 with the file:line
// message. towerrec inspect --system: the machine as towerrec sees it (CPU, BLAS kernel, threads,
// a measured GEMM rate, LibTorch), the first thing to compare when two machines disagree on speed.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/progress_printer.h"
#include "config/option_enum.h"
#include "config/options.h"
#include "core/blas.h"
#include "core/blas_kernel.h"
#include "core/cpu_info.h"
#include "core/error.h"
#include "core/simd_level.h"
#include "core/topk_scan.h"
#include "data/dataset_reader.h"
#include "data/dataset_stats.h"
#include "train/threads.h"

namespace towerrec::cli {
namespace {

struct InspectArgs {
  std::string dir;
  DataOptions data;
  // --format and --duplicates, parsed into `data` (CLI11 reads enums as numbers).
  std::string format = enum_name(DataOptions().format);
  std::string duplicates = enum_name(DataOptions().duplicates);
  bool quiet = false;
  bool system = false;
  double gemm_seconds = 1.0;
};

std::string line(const char* key, const std::string& value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%-15s", (std::string(key) + ":").c_str());
  return buf + value + "\n";
}

// One "key: value" line each, so scripts can pick fields with sed (scripts/bench_machine).
std::string system_report(double gemm_seconds) {
  const CpuInfo cpu = detect_cpu();
  std::string out;
  out += line("cpu", (cpu.model_name.empty() ? "unknown" : cpu.model_name) + " (" + cpu.vendor +
                         ", family " + std::to_string(cpu.family) + " model " +
                         std::to_string(cpu.model) + ", " +
                         std::to_string(std::thread::hardware_concurrency()) + " logical CPUs)");
  out += line("cpu flags", cpu.flags().empty() ? "none of avx/avx2/fma/avx512" : cpu.flags());
  const SimdLevel simd = simd_level();
  const char* cap = std::getenv("TOWERREC_SIMD");
  out += line("simd", std::string(simd_level_name(simd)) +
                          (cap && *cap ? std::string(" (capped by TOWERREC_SIMD=") + cap + ")"
                                       : " (the widest this CPU runs)"));
  out += line("top-K kernel", topk_kernel_name());
  const std::string core = blas_core_name();
  if (!blas_available()) {
    out += line("blas", "none found (sgemm_ is not in the process)");
  } else {
    out += line("blas", blas_library_path());
    if (!blas_config().empty()) out += line("blas config", blas_config());
  }
  if (!core.empty()) {
    const char* user = std::getenv(kCoreTypeVar);
    const BlasPlan& startup = blas_startup();
    std::string why = !startup.chosen.empty() ? "chosen by towerrec at start-up"
                      : !startup.note.empty() ? "OpenBLAS's own; towerrec's choice failed"
                      : user                  ? std::string("set by ") + kCoreTypeVar + "=" + user
                                              : "OpenBLAS's own detection";
    out += line("blas core", core + " (" + why + ")");
    const std::vector<std::string> best = preferred_blas_cores(cpu);
    out += line("best core", best.empty() ? "OpenBLAS's own choice (no AVX2+FMA)" : best.front());
    out += line("blas threads", std::to_string(blas_threads()) +
                                    " (towerrec sets 1 where it runs its own threads)");
  }
  out += line("torch threads", std::to_string(torch_threads()));
  out += line("libtorch", torch_version());
  char rate[96];
  std::snprintf(rate, sizeof rate, "%.1f GFLOP/s (sgemm 1024^3, 1 thread, %g s)",
                measure_gemm_gflops(gemm_seconds), gemm_seconds);
  out += line("gemm", rate);
  return out;
}

Registrar register_inspect([](CLI::App& root) {
  auto args = std::make_shared<InspectArgs>();
  CLI::App* sub = root.add_subcommand("inspect", "Read a dataset directory and summarise it");
  sub->add_option("dir", args->dir, "dataset directory");
  sub->add_flag("--system", args->system,
                "describe this machine instead: CPU, BLAS library and kernel, threads, a 1-second "
                "GEMM rate, LibTorch version");
  sub->add_option("--gemm-seconds", args->gemm_seconds, "how long --system measures the GEMM rate")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 60.0));
  sub->add_option("--format", args->format, "input format (auto detects it)")
      ->capture_default_str()
      ->check(CLI::IsMember(enum_names<DataFormat>()));
  sub->add_option("--duplicates", args->duplicates,
                  "repeated (user, item) ratings: keep the latest (last) or fail (error)")
      ->capture_default_str()
      ->check(CLI::IsMember(enum_names<DuplicatePolicy>()));
  sub->add_option("--rating-min", args->data.rating_min, "lowest valid rating")
      ->capture_default_str();
  sub->add_option("--rating-max", args->data.rating_max, "highest valid rating")
      ->capture_default_str();
  sub->add_flag("-q,--quiet", args->quiet, "no progress lines on stderr");
  sub->callback([args] {
    if (args->system) {
      if (!args->dir.empty())
        throw UsageError("inspect: give a dataset directory or --system, not both");
      std::cout << system_report(args->gemm_seconds);
      return;
    }
    if (args->dir.empty()) throw UsageError("inspect: expected a dataset directory (or --system)");
    parse_enum(args->format, args->data.format);  // checked by IsMember
    parse_enum(args->duplicates, args->data.duplicates);
    ProgressPrinter printer(args->quiet);
    const Dataset data = read_dataset(args->dir, args->data, printer.fn());
    printer.finish();
    std::cout << format_dataset_stats(compute_dataset_stats(data));
  });
});

}  // namespace
}  // namespace towerrec::cli

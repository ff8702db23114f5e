#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/blas_kernel.h"
#include "core/cpu_info.h"
#include "test_util.h"

using towerrec::test::run_cli;
using towerrec::test::TempDir;

TEST_CASE("cli inspect: summarises a dataset directory", "[cli]") {
  TempDir dir;
  dir.write("movies.csv", "movieId,title,genres\n1,\"A, The (1999)\",Drama\n2,B,Comedy\n");
  dir.write("ratings.csv", "userId,movieId,rating,timestamp\n1,1,4,1\n2,1,5,2\n2,2,3,3\n");
  const auto r = run_cli({"inspect", dir.path(), "--quiet"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("format:             movielens\n") != std::string::npos);
  CHECK(r.out.find("users:              2\n") != std::string::npos);
  CHECK(r.out.find("ratings:            3\n") != std::string::npos);
  CHECK(r.out.find("  Drama                       1\n") != std::string::npos);
  CHECK(r.err.empty());
}

TEST_CASE("cli inspect: bad input exits 1 with the file:line message", "[cli]") {
  TempDir dir;
  dir.write("movies.csv", "movieId,title,genres\n1,a,Drama\n");
  dir.write("ratings.csv", "userId,movieId,rating,timestamp\n1,1,abc,1\n");
  auto r = run_cli({"inspect", dir.path(), "--quiet"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("towerrec: error: " + dir.file("ratings.csv") +
                   ":2: field 'rating': expected a number in [0.5, 5], found \"abc\"") !=
        std::string::npos);
  r = run_cli({"inspect", dir.path(), "--format", "csv"});
  CHECK(r.exit_code == 2);
  r = run_cli({"inspect", "--help"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("--format") != std::string::npos);
}

TEST_CASE("cli inspect: the real ml-100k", "[cli]") {
  const std::string dir = towerrec::test::shared_data("ml-100k");
  if (dir.empty()) {
    WARN("shared data ml-100k not found; skipping");
    return;
  }
  const auto r = run_cli({"inspect", dir, "--quiet"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("ratings:            100000\n") != std::string::npos);
  CHECK(r.out.find("users:              943\n") != std::string::npos);
  CHECK(r.out.find("items:              1682 (1682 rated)\n") != std::string::npos);
  CHECK(r.out.find("  gender (categorical): M 670, F 273; missing 0\n") != std::string::npos);
}

TEST_CASE("cli inspect --system: the machine, its BLAS kernel and a GEMM rate", "[cli]") {
  const auto r = run_cli({"inspect", "--system", "--gemm-seconds", "0.05"}, "TOWERREC_BLAS_AUTO=0");
  CHECK(r.exit_code == 0);
  for (const char* key : {"cpu:", "cpu flags:", "blas:", "torch threads:", "libtorch:", "gemm:"}) {
    const bool found =
        r.out.rfind(key, 0) == 0 || r.out.find(std::string("\n") + key) != std::string::npos;
    CHECK(found);
  }
  CHECK(r.out.find("GFLOP/s (sgemm 1024^3, 1 thread, 0.05 s)") != std::string::npos);
  CHECK(r.out.find("libtorch:      1.") != std::string::npos);
  CHECK(run_cli({"inspect", "--system", "somedir"}).exit_code == 2);
  CHECK(run_cli({"inspect"}).exit_code == 2);
}

TEST_CASE("cli: TOWERREC_SIMD caps the vector kernels and refuses an unknown value up front",
          "[cli]") {
  const towerrec::CpuInfo cpu = towerrec::detect_cpu();
  auto r = run_cli({"inspect", "--system", "--gemm-seconds", "0"}, "TOWERREC_SIMD=baseline");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("\nsimd:          baseline (capped by TOWERREC_SIMD=baseline)\n"
                   "top-K kernel:  GEMM + scalar scan\n") != std::string::npos);
  r = run_cli({"inspect", "--system", "--gemm-seconds", "0"}, "TOWERREC_SIMD=avx2");
  CHECK(r.out.find(std::string("\nsimd:          ") + (cpu.avx2 ? "avx2" : "baseline") +
                   " (capped by TOWERREC_SIMD=avx2)\ntop-K kernel:  GEMM + " +
                   (cpu.avx2 ? "AVX2" : "scalar") + " scan\n") != std::string::npos);
  if (cpu.avx512f) {
    r = run_cli({"inspect", "--system", "--gemm-seconds", "0"}, "TOWERREC_SIMD=avx512");
    CHECK(r.out.find("\ntop-K kernel:  fused AVX-512 tile\n") != std::string::npos);
  }
  r = run_cli({"inspect", "--system", "--gemm-seconds", "0"}, "TOWERREC_SIMD=sse9");
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.find("towerrec: environment variable TOWERREC_SIMD='sse9': expected avx512, avx2 or "
                   "baseline") != std::string::npos);
}

namespace {

// The kernel the CLI reports after start-up (the "blas core:" line of inspect --system).
std::string reported_core(const std::string& out) {
  const size_t at = out.find("blas core:");
  if (at == std::string::npos) return "";
  const size_t start = out.find_first_not_of(' ', at + 10);
  return out.substr(start, out.find(' ', start) - start);
}

}  // namespace

// The auto-selection on a machine OpenBLAS misdetects, simulated: OPENBLAS_CORETYPE=Prescott plus
// the test switch that makes towerrec treat it as OpenBLAS's own detection.
TEST_CASE("cli: a generic OpenBLAS kernel is replaced at start-up, never the user's", "[cli]") {
  const auto probe = run_cli({"inspect", "--system", "--gemm-seconds", "0"},
                             "TOWERREC_BLAS_AUTO=0 OPENBLAS_CORETYPE=Prescott");
  if (reported_core(probe.out) != "Prescott") {
    WARN("the CLI's BLAS is not an OpenBLAS with a Prescott kernel; skipping");
    return;
  }
  const std::vector<std::string> best = towerrec::preferred_blas_cores(towerrec::detect_cpu());
  const std::string sim = "TOWERREC_BLAS_SIMULATE_MISDETECTION=1 OPENBLAS_CORETYPE=Prescott";
  const std::vector<std::string> args = {"inspect", "--system", "--gemm-seconds", "0"};

  // The user's own setting: left alone, and nothing printed.
  auto r = run_cli(args, "OPENBLAS_CORETYPE=Prescott");
  CHECK(r.exit_code == 0);
  CHECK(reported_core(r.out) == "Prescott");
  CHECK(r.out.find("blas core:     Prescott (set by OPENBLAS_CORETYPE=Prescott)") !=
        std::string::npos);
  CHECK(r.err.empty());

  r = run_cli(args, sim);
  CHECK(r.exit_code == 0);
  if (best.empty()) {
    CHECK(reported_core(r.out) == "Prescott");
    CHECK(r.err.empty());
    return;
  }
  CHECK(reported_core(r.out) == best.front());
  CHECK(r.out.find("(chosen by towerrec at start-up)") != std::string::npos);
  CHECK(r.err.find("towerrec: BLAS: OpenBLAS chose Prescott on this ") == 0);
  CHECK(r.err.find("; using " + best.front() + " (self-check passed;") != std::string::npos);
  CHECK(r.err.find('\n') == r.err.size() - 1);  // one line
  CHECK(r.out.find("TOWERREC_BLAS_AUTO_STATE") == std::string::npos);

  // -q / --quiet silence the line, not the choice.
  r = run_cli({"inspect", "--system", "--gemm-seconds", "0", "--quiet"}, sim);
  CHECK(reported_core(r.out) == best.front());
  CHECK(r.err.empty());

  // Off switch.
  r = run_cli(args, "TOWERREC_BLAS_AUTO=0 " + sim);
  CHECK(reported_core(r.out) == "Prescott");
  CHECK(r.err.empty());

  // A self-check mismatch (injected) falls back through every candidate to OpenBLAS's own choice.
  r = run_cli(args, "TOWERREC_BLAS_SIMULATE_SELFCHECK_FAIL=1 " + sim);
  CHECK(r.exit_code == 0);
  CHECK(reported_core(r.out) == "Prescott");
  CHECK(r.out.find("blas core:     Prescott (OpenBLAS's own; towerrec's choice failed)") !=
        std::string::npos);
  CHECK(r.err.find("towerrec: BLAS: " + best.front()) == 0);
  CHECK(r.err.find("failed (self-check: sgemm NN 37x29x67 element 0: ") != std::string::npos);
  CHECK(r.err.find("; staying on OpenBLAS's own choice, Prescott\n") != std::string::npos);
}

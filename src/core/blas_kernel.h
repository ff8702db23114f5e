// Choosing OpenBLAS's kernel set at start-up. Debian's OpenBLAS 0.3.21 does not know some current
// CPUs (e.g. Xeon family 6 model 207) and runs them on its Prescott (SSE3) kernels, 3-5x below
// what the CPU can do (OpenBLAS #4267, fixed in 0.3.25). OpenBLAS reads OPENBLAS_CORETYPE once,
// when it is loaded, so a better choice takes effect only in a new process image: the CLI's main()
// asks plan_blas_kernel() what to do and, when told, sets the variables and execs itself again.
// The new image checks that OpenBLAS loaded the kernel asked for and that a small GEMM agrees
// with a plain loop; if not it tries the next kernel, and finally OpenBLAS's own choice.
//
// The protocol between the images is one environment variable (kStateVar) that only towerrec sets
// and that is removed again before the command runs, so child processes never see it. A
// user-set OPENBLAS_CORETYPE is never overridden; TOWERREC_BLAS_AUTO=0 turns all of this off.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/cpu_info.h"

namespace towerrec {

inline constexpr const char* kCoreTypeVar = "OPENBLAS_CORETYPE";
inline constexpr const char* kAutoVar = "TOWERREC_BLAS_AUTO";         // "0": never choose
inline constexpr const char* kStateVar = "TOWERREC_BLAS_AUTO_STATE";  // between exec'd images
// Test and demo switches, for machines where OpenBLAS detects the CPU correctly:
// treat a set OPENBLAS_CORETYPE as OpenBLAS's own (mis)detection instead of the user's choice...
inline constexpr const char* kSimulateMisdetectionVar = "TOWERREC_BLAS_SIMULATE_MISDETECTION";
// ...and corrupt the self-check's GEMM result, so its fallback path runs ("1").
inline constexpr const char* kSimulateSelfCheckFailVar = "TOWERREC_BLAS_SIMULATE_SELFCHECK_FAIL";

// The OpenBLAS kernel sets that are safe and best on `cpu`, best first; empty when the CPU has
// neither AVX2+FMA nor AVX-512. Intel with AVX-512: SkylakeX, then Haswell. AMD and Hygon (Zen),
// AVX-512 or not: Haswell only — the setting used on Zen 5 with this OpenBLAS generation, whose
// newer kernels are reported to compute wrong results or crash there. Other AVX2+FMA: Haswell.
std::vector<std::string> preferred_blas_cores(const CpuInfo& cpu);

// The vector ISA an OpenBLAS core name's kernels use: 3 AVX-512, 2 AVX2, 1 AVX, 0 SSE-era
// (Prescott, Core2, Nehalem, Atom, Opteron, ...); -1 for a name not known to 0.3.21.
int blas_core_tier(const std::string& core);

// The GEMM signature of gemm_rowmajor (core/blas.h).
using GemmFn =
    std::function<void(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a,
                       int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc)>;

// A few small products (odd sizes, every transpose combination, sizes that leave partial
// micro-tiles) through `gemm`, compared with a plain double loop. False, with what differed in
// `detail`, on any element off by more than a rounding error (or NaN).
bool blas_self_check(const GemmFn& gemm, std::string* detail);

// What the process knows about itself at start-up.
struct BlasProbe {
  CpuInfo cpu;
  std::string loaded_core;  // openblas_get_corename() in this image; "" when not OpenBLAS
  // Runs the self-check on the BLAS in use; called only in an image whose kernel towerrec chose.
  std::function<bool(std::string* detail)> self_check;
};

// This process's probe: detect_cpu(), blas_core_name(), and blas_self_check over gemm_rowmajor
// (with a corrupted result when kSimulateSelfCheckFailVar is "1").
BlasProbe probe_process_blas();

using EnvGetter = std::function<std::optional<std::string>(const std::string& name)>;

struct BlasPlan {
  // Environment changes to apply now, in order: a value sets the variable, nullopt unsets it.
  std::vector<std::pair<std::string, std::optional<std::string>>> env;
  bool reexec = false;  // then exec this program again (same argv) with `env` applied
  std::string note;     // one line for stderr (without "towerrec: "); "" = nothing to say
  std::string chosen;   // the kernel towerrec set and checked in this image; "" = none
};

// The decision, with no side effects: reads the environment only through `env`.
BlasPlan plan_blas_kernel(const BlasProbe& probe, const EnvGetter& env);

}  // namespace towerrec

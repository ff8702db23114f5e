// Which vector width towerrec's own kernels use (the exact top-K scan, the embedding bags, Adam,
// the softmax's reductions; BLAS and ATen choose their own). Each kernel has an AVX-512, an AVX2
// and a plain path with the same results, picked once per process: the widest the CPU and OS
// support, capped by the environment variable TOWERREC_SIMD (avx512, avx2 or baseline), as
// ATEN_CPU_CAPABILITY caps ATen's. The cap is how the narrower paths get tested on a wide machine
// (CMakeLists.txt runs the [simd] tests under each), and a way round a suspect kernel.
#pragma once

namespace towerrec {

enum class SimdLevel { kBaseline = 0, kAvx2 = 1, kAvx512 = 2 };

// The level in use (computed on first call). Throws Error naming the variable on a value other
// than avx512, avx2 or baseline; main() calls it first so that error comes out up front.
SimdLevel simd_level();

// "avx512", "avx2", "baseline".
const char* simd_level_name(SimdLevel level);

// Parses a TOWERREC_SIMD value ("" = no cap): the cap, or throws Error naming what is accepted.
SimdLevel parse_simd_cap(const char* value);

// The widest level cpu-and-OS support alone (no cap).
SimdLevel detected_simd_level();

}  // namespace towerrec

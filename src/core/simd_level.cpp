#include "core/simd_level.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "core/cpu_info.h"
#include "core/error.h"

namespace towerrec {

const char* simd_level_name(SimdLevel level) {
  switch (level) {
    case SimdLevel::kAvx512:
      return "avx512";
    case SimdLevel::kAvx2:
      return "avx2";
    case SimdLevel::kBaseline:
      break;
  }
  return "baseline";
}

SimdLevel parse_simd_cap(const char* value) {
  const std::string v = value ? value : "";
  if (v.empty() || v == "avx512") return SimdLevel::kAvx512;
  if (v == "avx2") return SimdLevel::kAvx2;
  if (v == "baseline") return SimdLevel::kBaseline;
  throw Error("environment variable TOWERREC_SIMD='" + v +
              "': expected avx512, avx2 or baseline (the widest vector kernels towerrec may use)");
}

SimdLevel detected_simd_level() {
  // AVX-512 F is all the AVX-512 kernels use; the AVX2 ones use no FMA (their roundings match the
  // plain loops), so AVX2 alone is enough for them.
  const CpuInfo cpu = detect_cpu();
  if (cpu.avx512f) return SimdLevel::kAvx512;
  if (cpu.avx2) return SimdLevel::kAvx2;
  return SimdLevel::kBaseline;
}

SimdLevel simd_level() {
  static const SimdLevel level = [] {
    const SimdLevel cap = parse_simd_cap(std::getenv("TOWERREC_SIMD"));
    return std::min(cap, detected_simd_level());
  }();
  return level;
}

}  // namespace towerrec

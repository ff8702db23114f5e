#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "core/simd_level.h"

using towerrec::SimdLevel;

TEST_CASE("simd level: TOWERREC_SIMD caps the detected width and nothing else is accepted",
          "[core][simd]") {
  CHECK(towerrec::parse_simd_cap(nullptr) == SimdLevel::kAvx512);
  CHECK(towerrec::parse_simd_cap("") == SimdLevel::kAvx512);
  CHECK(towerrec::parse_simd_cap("avx512") == SimdLevel::kAvx512);
  CHECK(towerrec::parse_simd_cap("avx2") == SimdLevel::kAvx2);
  CHECK(towerrec::parse_simd_cap("baseline") == SimdLevel::kBaseline);
  CHECK_THROWS_WITH(towerrec::parse_simd_cap("AVX2"),
                    "environment variable TOWERREC_SIMD='AVX2': expected avx512, avx2 or baseline "
                    "(the widest vector kernels towerrec may use)");
  CHECK(std::string(towerrec::simd_level_name(SimdLevel::kAvx2)) == "avx2");
  CHECK(std::string(towerrec::simd_level_name(SimdLevel::kBaseline)) == "baseline");

  // This process's level: under ctest's [simd] runs the variable is set, and the kernels that the
  // other [simd] tests exercise take exactly this path.
  const SimdLevel cap = towerrec::parse_simd_cap(std::getenv("TOWERREC_SIMD"));
  CHECK(towerrec::simd_level() == std::min(cap, towerrec::detected_simd_level()));
  WARN("kernels run at simd level " << towerrec::simd_level_name(towerrec::simd_level()));
}

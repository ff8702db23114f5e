#include "train/threads.h"

#include <catch2/catch.hpp>

#include <string>

#include "core/blas.h"
#include "core/blas_kernel.h"

TEST_CASE("threads: set_threads sets the torch intra-op count", "[train]") {
  towerrec::set_threads(2);
  CHECK(towerrec::torch_threads() == 2);
  towerrec::set_threads(1);
  CHECK(towerrec::torch_threads() == 1);
}

TEST_CASE("threads: the process BLAS agrees with a plain loop and names its kernel", "[train]") {
  // LibTorch brings the BLAS into this binary, so core/blas.h finds it at run time.
  REQUIRE(towerrec::blas_available());
  std::string detail;
  CHECK(towerrec::blas_self_check(towerrec::gemm_rowmajor, &detail));
  CHECK(detail.empty());
  if (towerrec::blas_core_name().empty()) WARN("the BLAS is not OpenBLAS: no kernel name");
  CHECK(towerrec::measure_gemm_gflops(0.01, 64) > 0);
}

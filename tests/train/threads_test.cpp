#include "train/threads.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "core/blas.h"
#include "core/blas_kernel.h"

TEST_CASE("threads: set_threads sets the torch intra-op count", "[train]") {
  towerrec::set_threads(2);
  CHECK(towerrec::torch_threads() == 2);
  towerrec::set_threads(1);
  CHECK(towerrec::torch_threads() == 1);
}

TEST_CASE("threads: set_threads(0) sets the resolved count, one per CPU over the local ranks",
          "[train]") {
  const char* saved = std::getenv("LOCAL_WORLD_SIZE");
  const std::string restore = saved ? saved : "";
  ::setenv("LOCAL_WORLD_SIZE", "1000", 1);  // more ranks than CPUs: 1 each
  CHECK(towerrec::set_threads(0) == 1);
  CHECK(towerrec::torch_threads() == 1);
  if (saved)
    ::setenv("LOCAL_WORLD_SIZE", restore.c_str(), 1);
  else
    ::unsetenv("LOCAL_WORLD_SIZE");
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

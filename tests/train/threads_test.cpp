#include "train/threads.h"

#include <catch2/catch.hpp>

TEST_CASE("threads: set_threads sets the torch intra-op count", "[train]") {
  towerrec::set_threads(2);
  CHECK(towerrec::torch_threads() == 2);
  towerrec::set_threads(1);
  CHECK(towerrec::torch_threads() == 1);
}

#include "cf/nearest_by_l2.h"

#include <catch2/catch.hpp>

#include "core/error.h"

using namespace towerrec;

TEST_CASE("nearest_by_l2: nearest first, query excluded, ties by index", "[cf]") {
  // 1-D points 0, 1, 3, -1, 10: from point 0 the distances are 1, 9, 1, 100.
  const std::vector<float> v = {0, 0, 1, 0, 3, 0, -1, 0, 10, 0};
  const auto nn = nearest_by_l2(v.data(), 5, 2, 0, 3);
  REQUIRE(nn.size() == 3);
  CHECK(nn[0] == std::make_pair(int32_t{1}, 1.f));
  CHECK(nn[1] == std::make_pair(int32_t{3}, 1.f));
  CHECK(nn[2] == std::make_pair(int32_t{2}, 9.f));
  CHECK(nearest_by_l2(v.data(), 5, 2, 4, 100).size() == 4);  // k larger than n - 1
  CHECK(nearest_by_l2(v.data(), 5, 2, 4, 0).empty());
}

TEST_CASE("nearest_by_l2: bad query or k", "[cf]") {
  const std::vector<float> v = {0, 1};
  CHECK_THROWS_WITH(nearest_by_l2(v.data(), 2, 1, 2, 1),
                    "nearest_by_l2: expected query in [0, 2), found 2");
  CHECK_THROWS_WITH(nearest_by_l2(v.data(), 2, 1, 0, -1),
                    "nearest_by_l2: expected k >= 0, found -1");
}

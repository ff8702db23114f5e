#include "serve/vector_groups.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/error.h"

using namespace towerrec;

TEST_CASE("vector groups: identical rows share a group, numbered by lowest row, members ascending",
          "[serve]") {
  // a, b, a, c, b, a, d where d differs from c only by the sign of a zero.
  const std::vector<float> v = {1, 2, 3, 4, 1, 2, 0, 1, 3, 4, 1, 2, -0.0f, 1};
  const VectorGroups g = VectorGroups::group({v.data(), 7, 2});
  CHECK(g.rows() == 7);
  CHECK(g.groups() == 4);
  CHECK(g.group_of() == std::vector<int64_t>{0, 1, 0, 2, 1, 0, 3});
  CHECK(std::vector<int64_t>(g.members_begin(0), g.members_end(0)) ==
        std::vector<int64_t>{0, 2, 5});
  CHECK(std::vector<int64_t>(g.members_begin(1), g.members_end(1)) == std::vector<int64_t>{1, 4});
  CHECK(g.representative(2) == 3);
  CHECK(g.representative(3) == 6);  // -0.0 is not merged with 0.0
  CHECK(g.size(0) == 3);
  CHECK(g.size(3) == 1);
  CHECK(g.memory_bytes() >= (7 + 5 + 7) * 8);

  // A saved group_of rebuilds the same groups.
  const VectorGroups back = VectorGroups::from_group_of(g.group_of(), g.groups());
  CHECK(back.groups() == 4);
  CHECK(std::vector<int64_t>(back.members_begin(0), back.members_end(0)) ==
        std::vector<int64_t>{0, 2, 5});
  CHECK(back.representative(1) == 1);
}

TEST_CASE("vector groups: all distinct and all identical", "[serve]") {
  const std::vector<float> distinct = {1, 2, 3, 4, 5, 6};
  const VectorGroups a = VectorGroups::group({distinct.data(), 3, 2});
  CHECK(a.groups() == 3);
  CHECK(a.group_of() == std::vector<int64_t>{0, 1, 2});
  const std::vector<float> same(5 * 3, 0.25f);
  const VectorGroups b = VectorGroups::group({same.data(), 5, 3});
  CHECK(b.groups() == 1);
  CHECK(std::vector<int64_t>(b.members_begin(0), b.members_end(0)) ==
        std::vector<int64_t>{0, 1, 2, 3, 4});
}

TEST_CASE("vector groups: malformed group ids are rejected with the row and what was expected",
          "[serve]") {
  auto error = [](std::vector<int64_t> ids, int64_t groups) {
    try {
      VectorGroups::from_group_of(std::move(ids), groups);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  CHECK(error({0, 5}, 2) == "row 1: expected a group id in [0, 2), found 5");
  CHECK(error({0, -1}, 2) == "row 1: expected a group id in [0, 2), found -1");
  CHECK(error({0, 2, 1}, 3) ==
        "row 1: expected group 1 or lower (groups are numbered by their lowest row), found 2");
  CHECK(error({0, 0, 1}, 3) == "expected 3 groups, found members for 2");
}

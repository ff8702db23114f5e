#include "core/nearest_items.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <vector>

#include "core/error.h"
#include "core/item_search.h"
#include "core/rng.h"

using namespace towerrec;

namespace {

std::vector<float> scaled_normal_matrix(int64_t rows, int64_t cols, uint64_t seed, double scale) {
  Rng rng(seed);
  std::vector<float> m(static_cast<size_t>(rows * cols));
  for (float& x : m) x = static_cast<float>(scale * rng.normal());
  return m;
}

// Brute force: every other item's squared distance, sorted (distance, index).
std::vector<std::pair<double, int64_t>> brute(const std::vector<float>& v, int64_t dim, int64_t i) {
  const int64_t n = static_cast<int64_t>(v.size()) / dim;
  std::vector<std::pair<double, int64_t>> all;
  for (int64_t j = 0; j < n; ++j) {
    if (j == i) continue;
    double s = 0;
    for (int64_t d = 0; d < dim; ++d) {
      const double diff = double(v[j * dim + d]) - v[i * dim + d];
      s += diff * diff;
    }
    all.emplace_back(s, j);
  }
  std::sort(all.begin(), all.end());
  return all;
}

}  // namespace

TEST_CASE("nearest items: unnormalised vectors match brute force, never the item itself",
          "[core]") {
  const int64_t n = 777, dim = 12, k = 8;
  // Varied norms: ranking by dot product alone would be wrong here.
  auto v = scaled_normal_matrix(n, dim, 11, 1.0);
  Rng rng(12);
  for (int64_t i = 0; i < n; ++i) {
    const float s = static_cast<float>(0.2 + 3 * rng.uniform());
    for (int64_t d = 0; d < dim; ++d) v[static_cast<size_t>(i * dim + d)] *= s;
  }
  TopKOptions opts;
  opts.k = k;
  opts.query_block = 16;
  opts.item_chunk = 100;
  opts.threads = 2;
  const NearestItems nearest({v.data(), n, dim}, opts);
  const NeighborResult got = nearest.search_all();
  REQUIRE(got.rows == n);
  int64_t mismatched = 0;
  for (int64_t i = 0; i < n; ++i) {
    const auto want = brute(v, dim, i);
    CHECK(got.found[static_cast<size_t>(i)] == k);
    for (int64_t j = 0; j < k; ++j) {
      const size_t at = static_cast<size_t>(i * k + j);
      CHECK(got.items[at] != i);
      mismatched += got.items[at] != want[static_cast<size_t>(j)].second;
      CHECK(got.distances[at] == Approx(want[static_cast<size_t>(j)].first).epsilon(1e-5));
    }
  }
  CHECK(mismatched == 0);
}

TEST_CASE("nearest items: a subset, exact ties, and fewer items than k", "[core]") {
  // Points on a line: 0, 1, 2, 3 and a duplicate of 1 at index 4.
  const std::vector<float> v = {0, 0, 1, 0, 2, 0, 3, 0, 1, 0};
  TopKOptions opts;
  opts.k = 6;
  const NearestItems nearest({v.data(), 5, 2}, opts);
  const NeighborResult r = nearest.search({2, 4});
  CHECK(r.found == std::vector<int32_t>{4, 4});
  // From 2.0: items 1 and 4 (both at 1.0, distance 1) tie -> lower index first, then 3, then 0.
  CHECK(std::vector<int64_t>(r.items.begin(), r.items.begin() + 6) ==
        std::vector<int64_t>{1, 3, 4, 0, -1, -1});
  CHECK(std::vector<float>(r.distances.begin(), r.distances.begin() + 4) ==
        std::vector<float>{1, 1, 1, 4});
  CHECK(r.distances[5] == std::numeric_limits<float>::infinity());
  // From the duplicate (index 4): item 1 at distance 0.
  CHECK(r.items[6] == 1);
  CHECK(r.distances[6] == 0.0f);
  try {
    nearest.search({5});
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "nearest items: item 0: expected an index in [0, 5), got 5");
  }
}

TEST_CASE(
    "nearest items as an ItemSearch: an item's own vector, itself excluded, gives its "
    "neighbours",
    "[core]") {
  const int64_t n = 300, dim = 6, k = 5;
  const auto v = scaled_normal_matrix(n, dim, 21, 2.0);
  TopKOptions opts;
  opts.k = k;
  opts.query_block = 16;
  opts.threads = 2;
  const NearestItems nearest({v.data(), n, dim}, opts);
  const ItemSearch& search = nearest;
  CHECK(search.size() == n);
  CHECK(search.dim() == dim);
  const std::vector<int64_t> of = {3, 150, 299, 0};
  std::vector<float> queries;
  std::vector<int64_t> offsets, self;
  for (size_t r = 0; r < of.size(); ++r) {
    queries.insert(queries.end(), v.begin() + of[r] * dim, v.begin() + (of[r] + 1) * dim);
    offsets.push_back(static_cast<int64_t>(r));
    self.push_back(of[r]);
  }
  offsets.push_back(static_cast<int64_t>(of.size()));
  const NeighborResult want = nearest.search(of);
  const TopKResult got = search.search({queries.data(), static_cast<int64_t>(of.size()), dim}, k,
                                       {offsets.data(), self.data()});
  CHECK(got.items == want.items);
  CHECK(got.found == want.found);
  for (size_t i = 0; i < got.scores.size(); ++i) CHECK(got.scores[i] == -want.distances[i]);
  // Another k than the options', and no exclusions: the query item itself comes first.
  const TopKResult two = search.search({queries.data(), 1, dim}, 2, {});
  CHECK(two.k == 2);
  CHECK(two.items[0] == of[0]);
  CHECK(two.items[1] == want.items[0]);
  CHECK_THROWS_WITH(search.search({queries.data(), 1, dim - 1}, 2, {}),
                    "nearest items: queries: expected dimension 6, got 5");
}

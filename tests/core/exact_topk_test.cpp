#include "core/exact_topk.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "test_util.h"

using namespace towerrec;
using towerrec::test::integer_matrix;

namespace {

std::vector<float> normal_matrix(int64_t rows, int64_t cols, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> m(static_cast<size_t>(rows * cols));
  for (float& x : m) x = static_cast<float>(rng.normal());
  return m;
}

struct Csr {
  std::vector<int64_t> offsets{0};
  std::vector<int64_t> items;
  ExclusionsRef ref() const { return {offsets.data(), items.data()}; }
};

Csr random_exclusions(int64_t queries, int64_t n_items, int64_t per_query, uint64_t seed) {
  Rng rng(seed);
  Csr c;
  for (int64_t q = 0; q < queries; ++q) {
    std::vector<int64_t> ex;
    const int64_t m = static_cast<int64_t>(rng.below(static_cast<uint64_t>(per_query + 1)));
    for (int64_t i = 0; i < m; ++i)
      ex.push_back(static_cast<int64_t>(rng.below(static_cast<uint64_t>(n_items))));
    std::sort(ex.begin(), ex.end());  // duplicates kept on purpose
    c.items.insert(c.items.end(), ex.begin(), ex.end());
    c.offsets.push_back(static_cast<int64_t>(c.items.size()));
  }
  return c;
}

// Full sort of every candidate: the reference the kernel must match exactly.
TopKResult naive(const std::vector<float>& q, const std::vector<float>& it, int64_t dim, int64_t k,
                 const Csr* ex, const std::vector<int64_t>& global) {
  const int64_t nq = static_cast<int64_t>(q.size()) / dim,
                ni = static_cast<int64_t>(it.size()) / dim;
  TopKResult r;
  r.rows = nq;
  r.k = k;
  r.items.assign(static_cast<size_t>(nq * k), -1);
  r.scores.assign(static_cast<size_t>(nq * k), -std::numeric_limits<float>::infinity());
  r.found.assign(static_cast<size_t>(nq), 0);
  for (int64_t a = 0; a < nq; ++a) {
    std::set<int64_t> skip(global.begin(), global.end());
    if (ex) skip.insert(ex->items.begin() + ex->offsets[a], ex->items.begin() + ex->offsets[a + 1]);
    std::vector<std::pair<double, int64_t>> all;
    for (int64_t b = 0; b < ni; ++b) {
      if (skip.count(b)) continue;
      double s = 0;
      for (int64_t d = 0; d < dim; ++d) s += double(q[a * dim + d]) * it[b * dim + d];
      all.emplace_back(-s, b);
    }
    std::sort(all.begin(), all.end());
    const int64_t m = std::min<int64_t>(k, static_cast<int64_t>(all.size()));
    r.found[a] = static_cast<int32_t>(m);
    for (int64_t j = 0; j < m; ++j) {
      r.items[a * k + j] = all[j].second;
      r.scores[a * k + j] = static_cast<float>(-all[j].first);
    }
  }
  return r;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("exact top-K: equals a full sort, ties to the lower index, with exclusions",
          "[core][simd]") {
  const int64_t dim = 8, n_items = 1013, n_q = 45;
  const auto items = integer_matrix(n_items, dim, 1);
  const auto queries = integer_matrix(n_q, dim, 2);
  const Csr ex = random_exclusions(n_q, n_items, 40, 3);
  const std::vector<int64_t> global = {5, 900, 17, 5, 1012};
  for (int64_t k : {1, 7, 10, 64}) {
    for (int64_t chunk : {100, 1024}) {
      TopKOptions opts;
      opts.k = k;
      opts.query_block = 8;
      opts.item_chunk = chunk;
      const ExactTopK topk({items.data(), n_items, dim}, opts, global);
      const TopKResult got = topk.search({queries.data(), n_q, dim}, ex.ref());
      const TopKResult want = naive(queries, items, dim, k, &ex, global);
      INFO("k=" << k << " chunk=" << chunk);
      CHECK(got.found == want.found);
      CHECK(got.items == want.items);
      CHECK(got.scores == want.scores);
    }
  }
}

TEST_CASE("exact top-K: fewer results when fewer items remain", "[core]") {
  const int64_t dim = 4, n_items = 20;
  const auto items = integer_matrix(n_items, dim, 4);
  const auto queries = integer_matrix(3, dim, 5);
  Csr ex;
  ex.items = {0, 1, 2, 3, 4, /*q1*/ /*q2*/ 0, 19};
  ex.offsets = {0, 5, 5, 7};
  TopKOptions opts;
  opts.k = 30;
  const TopKResult got =
      ExactTopK({items.data(), n_items, dim}, opts, {7}).search({queries.data(), 3, dim}, ex.ref());
  CHECK(got.found == std::vector<int32_t>{14, 19, 17});
  CHECK(got.items[14] == -1);
  CHECK(got.scores[29] == -std::numeric_limits<float>::infinity());
  const TopKResult want = naive(queries, items, dim, 30, &ex, {7});
  CHECK(got.items == want.items);
  CHECK(got.scores == want.scores);
}

TEST_CASE("exact top-K: float data matches brute force and every thread count agrees",
          "[core][simd]") {
  const int64_t dim = 32, n_items = 3001, n_q = 301;
  const auto items = normal_matrix(n_items, dim, 6);
  const auto queries = normal_matrix(n_q, dim, 7);
  const Csr ex = random_exclusions(n_q, n_items, 30, 8);
  TopKOptions opts;
  opts.k = 10;
  opts.query_block = 32;
  opts.item_chunk = 512;
  const TopKResult want = naive(queries, items, dim, 10, &ex, {});
  TopKResult first;
  for (int64_t threads : {1, 2, 3}) {
    opts.threads = threads;
    const ExactTopK topk({items.data(), n_items, dim}, opts);
    std::vector<int64_t> starts;
    TopKResult got;
    got.items.resize(static_cast<size_t>(n_q * 10));
    got.scores.resize(got.items.size());
    topk.search({queries.data(), n_q, dim}, ex.ref(), [&](const TopKBlock& b) {
      starts.push_back(b.first_query);
      std::copy(b.items, b.items + b.count * b.k, got.items.begin() + b.first_query * 10);
      std::copy(b.scores, b.scores + b.count * b.k, got.scores.begin() + b.first_query * 10);
    });
    std::vector<int64_t> expected_starts;
    for (int64_t s = 0; s < n_q; s += 32) expected_starts.push_back(s);
    CHECK(starts == expected_starts);  // blocks arrive in query order
    if (threads == 1) {
      first = got;
      // Random normal data has no exact ties, so the sets agree; scores differ only by rounding.
      int64_t mismatched = 0;
      for (size_t i = 0; i < got.items.size(); ++i) {
        mismatched += got.items[i] != want.items[i];
        CHECK(got.scores[i] == Approx(want.scores[i]).margin(1e-4));
      }
      CHECK(mismatched == 0);
    } else {
      CHECK(got.items == first.items);  // bit-identical regardless of threads
      CHECK(got.scores == first.scores);
    }
  }
}

TEST_CASE("exact top-K: bad inputs are reported", "[core]") {
  const std::vector<float> items(40, 1.0f), queries(6, 1.0f);
  const ExactTopK topk({items.data(), 10, 4}, TopKOptions{});
  CHECK(error_of([&] {
          topk.search({queries.data(), 2, 3});
        }) == "top-K: queries: expected dimension 4 (the item vectors'), got 3");
  const std::vector<int64_t> off = {0, 2}, bad = {3, 1};
  CHECK(error_of([&] {
          topk.search({queries.data(), 1, 4}, {off.data(), bad.data()});
        }) == "exclusions: query 0: expected item indices sorted ascending, got 3 before 1");
  const std::vector<int64_t> far = {3, 10};
  CHECK(error_of([&] {
          topk.search({queries.data(), 1, 4}, {off.data(), far.data()});
        }) == "exclusions: query 0: expected item indices in [0, 10), got 10");
  TopKOptions zero;
  zero.k = 0;
  CHECK(error_of([&] {
          ExactTopK({items.data(), 10, 4}, zero);
        }) == "top-K: k: expected an integer >= 1, got 0");
  CHECK(error_of([&] {
          ExactTopK({items.data(), 10, 4}, TopKOptions{}, {10});
        }) == "top-K: global exclusions: expected item indices in [0, 10), got 10");
}

TEST_CASE("exact top-K: a callback exception stops the search and reaches the caller", "[core]") {
  const auto items = normal_matrix(100, 4, 9);
  const auto queries = normal_matrix(64, 4, 10);
  TopKOptions opts;
  opts.query_block = 4;
  opts.threads = 2;
  const ExactTopK topk({items.data(), 100, 4}, opts);
  int calls = 0;
  CHECK(error_of([&] {
          topk.search({queries.data(), 64, 4}, {}, [&](const TopKBlock&) {
            if (++calls == 3) throw IoError("disk full");
          });
        }) == "disk full");
  CHECK(calls == 3);
}

TEST_CASE("exact top-K as an ItemSearch: k per call, the same lists as the options' k",
          "[core][simd]") {
  const int64_t n = 200, dim = 8;
  const auto items = normal_matrix(n, dim, 31);
  const auto queries = normal_matrix(5, dim, 32);
  TopKOptions opts;
  opts.k = 10;
  const ExactTopK topk({items.data(), n, dim}, opts, {7});
  const ItemSearch& search = topk;
  CHECK(search.size() == n);
  CHECK(search.dim() == dim);
  const TopKResult ten = topk.search({queries.data(), 5, dim});
  CHECK(search.search({queries.data(), 5, dim}, 10, {}).items == ten.items);
  const TopKResult three = search.search({queries.data(), 5, dim}, 3, {});
  REQUIRE(three.k == 3);
  for (int64_t q = 0; q < 5; ++q)
    for (int64_t j = 0; j < 3; ++j) {
      CHECK(three.items[static_cast<size_t>(q * 3 + j)] ==
            ten.items[static_cast<size_t>(q * 10 + j)]);
      CHECK(three.items[static_cast<size_t>(q * 3 + j)] != 7);  // the global exclusion holds
    }
  CHECK_THROWS_WITH(search.search({queries.data(), 5, dim}, 0, {}),
                    "top-K: k: expected an integer >= 1, got 0");
}

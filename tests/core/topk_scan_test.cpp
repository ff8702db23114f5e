#include "core/topk_scan.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/exact_topk.h"
#include "core/simd_level.h"
#include "test_util.h"

using namespace towerrec;
using towerrec::test::integer_matrix;

namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

struct Lists {
  std::vector<float> scores;
  std::vector<int64_t> items;
  std::vector<int64_t> count;
};

// One block through scan_block with `kernel`: query q excludes items q, q + 7, q + 14, ... below
// `n_items` (sorted), and `global` (sorted) is excluded for all.
Lists run(TopKKernel kernel, const std::vector<float>& q, const std::vector<float>& it, int64_t dim,
          int64_t k, int64_t chunk, const std::vector<int64_t>& global) {
  const int64_t nq = static_cast<int64_t>(q.size()) / dim,
                ni = static_cast<int64_t>(it.size()) / dim;
  std::vector<std::vector<int64_t>> ex(static_cast<size_t>(nq));
  for (int64_t r = 0; r < nq; ++r)
    for (int64_t i = r; i < ni; i += 7) ex[static_cast<size_t>(r)].push_back(i);
  Lists out;
  out.scores.assign(static_cast<size_t>(nq * k), kNegInf);
  out.items.assign(static_cast<size_t>(nq * k), -1);
  std::vector<QueryState> states(static_cast<size_t>(nq));
  for (int64_t r = 0; r < nq; ++r) {
    QueryState& s = states[static_cast<size_t>(r)];
    s.scores = out.scores.data() + r * k;
    s.items = out.items.data() + r * k;
    s.threshold = kNegInf;
    s.ex = ex[static_cast<size_t>(r)].data();
    s.ex_end = s.ex + ex[static_cast<size_t>(r)].size();
    s.gx = global.data();
  }
  TopKScratch scratch;
  scan_block(kernel, {q.data(), nq, dim}, {it.data(), ni, dim}, chunk, states.data(), k,
             global.data() + global.size(), scratch);
  for (const QueryState& s : states) out.count.push_back(s.count);
  return out;
}

}  // namespace

TEST_CASE("top-K scan: the fused tile and GEMM + scan keep the same items at every tail",
          "[core][simd]") {
  // Queries around the 64-query tile (pad lanes), items around the 6-item tile and the chunk,
  // dims from 1 to past the 16-float vector.
  for (int64_t dim : {1, 3, 16, 33}) {
    for (int64_t nq : {1, 63, 64, 65, 130}) {
      for (int64_t ni : {1, 5, 6, 7, 301}) {
        const auto q = integer_matrix(nq, dim, static_cast<uint64_t>(dim * 1000 + nq));
        const auto it = integer_matrix(ni, dim, static_cast<uint64_t>(dim * 7 + ni));
        const std::vector<int64_t> global = {0, ni / 2};
        for (int64_t k : {1, 10}) {
          for (int64_t chunk : {4, 1024}) {
            INFO("dim=" << dim << " queries=" << nq << " items=" << ni << " k=" << k
                        << " chunk=" << chunk);
            const Lists gemm = run(TopKKernel::kGemmScan, q, it, dim, k, chunk, global);
            const Lists fused = run(TopKKernel::kFused, q, it, dim, k, chunk, global);
            CHECK(fused.count == gemm.count);
            CHECK(fused.items == gemm.items);
            CHECK(fused.scores == gemm.scores);
          }
        }
      }
    }
  }
}

TEST_CASE("top-K scan: the kernel in use follows the SIMD level", "[core][simd]") {
  const bool fused = simd_level() == SimdLevel::kAvx512;
  CHECK((topk_kernel() == TopKKernel::kFused) == fused);
  CHECK(std::string(topk_kernel_name()) == (fused ? "fused AVX-512 tile"
                                            : simd_level() == SimdLevel::kAvx2
                                                ? "GEMM + AVX2 scan"
                                                : "GEMM + scalar scan"));
}

TEST_CASE("exact top-K: items scoring NaN never enter a result, +/-inf rank at the ends",
          "[core][simd]") {
  // 70 items of dim 20 (a full tile, a tail and a pad-laned query block): item 3 has a NaN entry,
  // item 10 +inf in dimension 0 (score +inf for queries with x0 > 0, NaN for x0 = 0 -> never),
  // item 11 -inf in dimension 0.
  const int64_t n = 70, dim = 20, nq = 3;
  std::vector<float> items = integer_matrix(n, dim, 41);
  items[3 * dim + 5] = std::numeric_limits<float>::quiet_NaN();
  items[10 * dim] = std::numeric_limits<float>::infinity();
  items[11 * dim] = -std::numeric_limits<float>::infinity();
  std::vector<float> queries(static_cast<size_t>(nq * dim), 1.0f);
  queries[1 * dim] = 0.0f;   // query 1: 0 * inf = NaN for items 10 and 11
  queries[2 * dim] = -1.0f;  // query 2: item 11 scores +inf, item 10 -inf
  TopKOptions opts;
  opts.k = n;
  const TopKResult r = ExactTopK({items.data(), n, dim}, opts).search({queries.data(), nq, dim});
  auto row = [&](int64_t q) {
    return std::vector<int64_t>(r.items.begin() + q * n, r.items.begin() + q * n + r.found[q]);
  };
  auto has = [](const std::vector<int64_t>& v, int64_t x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  // Query 0: item 10 first (+inf); item 11 scores -inf, which is not above -inf, so never kept.
  CHECK(r.found[0] == n - 2);
  CHECK(row(0).front() == 10);
  CHECK_FALSE(has(row(0), 3));
  CHECK_FALSE(has(row(0), 11));
  CHECK(r.found[1] == n - 3);  // NaN for 3, 10 and 11
  CHECK_FALSE(has(row(1), 3));
  CHECK_FALSE(has(row(1), 10));
  CHECK_FALSE(has(row(1), 11));
  CHECK(r.found[2] == n - 2);
  CHECK(row(2).front() == 11);
  CHECK_FALSE(has(row(2), 10));
  for (int64_t q = 0; q < nq; ++q)
    for (int64_t j = 0; j < r.found[q]; ++j) CHECK_FALSE(std::isnan(r.scores[q * n + j]));
}

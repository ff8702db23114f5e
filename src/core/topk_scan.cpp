#include "core/topk_scan.h"

#include <algorithm>
#include <limits>

#include <immintrin.h>

#include "core/blas.h"
#include "core/simd_level.h"

namespace towerrec {
namespace {

constexpr int64_t kGroup = 16;

// Candidates arrive in increasing item order (chunks in order, rows left to right), so a newcomer
// has a higher index than everything held and goes after equal scores; exclusion lists are walked
// with forward-only cursors.
inline void offer(QueryState& q, int64_t k, float s, int64_t item, const int64_t* gx_end) {
  while (q.ex < q.ex_end && *q.ex < item) ++q.ex;
  if (q.ex < q.ex_end && *q.ex == item) return;
  while (q.gx < gx_end && *q.gx < item) ++q.gx;
  if (q.gx < gx_end && *q.gx == item) return;
  int64_t pos = q.count < k ? q.count : k - 1;
  while (pos > 0 && q.scores[pos - 1] < s) {
    q.scores[pos] = q.scores[pos - 1];
    q.items[pos] = q.items[pos - 1];
    --pos;
  }
  q.scores[pos] = s;
  q.items[pos] = item;
  if (q.count < k) ++q.count;
  if (q.count == k) q.threshold = q.scores[k - 1];
}

// The rare slow path of a group of kGroup scores of which at least one beat the threshold when the
// group was tested: each is checked against the threshold as it moves.
inline void offer_group(const float* row, int64_t j, int64_t base, QueryState& q, int64_t k,
                        const int64_t* gx_end) {
  for (int64_t u = 0; u < kGroup; ++u)
    if (row[j + u] > q.threshold) offer(q, k, row[j + u], base + j + u, gx_end);
}

inline void scan_tail(const float* row, int64_t j, int64_t n, int64_t base, QueryState& q,
                      int64_t k, const int64_t* gx_end) {
  for (; j < n; ++j)
    if (row[j] > q.threshold) offer(q, k, row[j], base + j, gx_end);
}

// The hot loop: one row of chunk scores, kGroup at a time, with one vector compare (ordered
// greater-than, false for NaN like `>`) and one rarely taken branch per group. GCC compiled the
// plain-C++ form of this test into 16 scalar compares, which made the scan cost as much as the
// GEMM (perf, issue 17); the library targets baseline x86-64, so each width is picked at load time.
__attribute__((target("avx512f"))) void scan_row_avx512(const float* row, int64_t n, int64_t base,
                                                        QueryState& q, int64_t k,
                                                        const int64_t* gx_end) {
  int64_t j = 0;
  for (; j + kGroup <= n; j += kGroup) {
    const __mmask16 hit =
        _mm512_cmp_ps_mask(_mm512_loadu_ps(row + j), _mm512_set1_ps(q.threshold), _CMP_GT_OQ);
    if (__builtin_expect(hit != 0, 0)) offer_group(row, j, base, q, k, gx_end);
  }
  scan_tail(row, j, n, base, q, k, gx_end);
}

__attribute__((target("avx2"))) void scan_row_avx2(const float* row, int64_t n, int64_t base,
                                                   QueryState& q, int64_t k,
                                                   const int64_t* gx_end) {
  int64_t j = 0;
  for (; j + kGroup <= n; j += kGroup) {
    const __m256 t = _mm256_set1_ps(q.threshold);
    const __m256 lo = _mm256_cmp_ps(_mm256_loadu_ps(row + j), t, _CMP_GT_OQ);
    const __m256 hi = _mm256_cmp_ps(_mm256_loadu_ps(row + j + 8), t, _CMP_GT_OQ);
    if (__builtin_expect(_mm256_movemask_ps(_mm256_or_ps(lo, hi)) != 0, 0))
      offer_group(row, j, base, q, k, gx_end);
  }
  scan_tail(row, j, n, base, q, k, gx_end);
}

void scan_row(const float* row, int64_t n, int64_t base, QueryState& q, int64_t k,
              const int64_t* gx_end) {
  const SimdLevel simd = simd_level();
  if (simd == SimdLevel::kAvx512) return scan_row_avx512(row, n, base, q, k, gx_end);
  if (simd >= SimdLevel::kAvx2) return scan_row_avx2(row, n, base, q, k, gx_end);
  scan_tail(row, 0, n, base, q, k, gx_end);
}

// ---- The fused tile (AVX-512) ----
// P query panels of 16 (one vector: dimension d of 16 queries) x R items, P * R accumulators. Per
// dimension step: P panel loads, R item broadcasts, P * R FMAs, so loads stay well under the FMAs
// (the two FMA ports are the limit). P = 4, R = 6 was the fastest of 1x24, 2x12, 2x14, 3x8, 3x9,
// 4x6, 5x5, 6x4, 8x3 (1M items, dim 32); it uses 24 of the 32 vector registers for accumulators.
constexpr int kPanels = 4;
constexpr int kTileItems = 6;
constexpr int64_t kLanes = 16;

// Queries [nq, dim] into panels of kLanes: panel p holds dimension d of its queries at
// out[(p * dim + d) * kLanes + lane]. Lanes past nq (up to `padded`) are zero.
void pack_panels(MatrixRef q, int64_t padded, float* out) {
  const int64_t dim = q.cols;
  std::fill(out, out + padded * dim, 0.f);
  for (int64_t r = 0; r < q.rows; ++r)
    for (int64_t d = 0; d < dim; ++d)
      out[((r / kLanes) * dim + d) * kLanes + r % kLanes] = q.data[r * dim + d];
}

// The slow path of one item whose score beat the threshold of at least one lane of a panel (as it
// was when the tile was tested): each such lane is checked against its threshold as it moves.
inline void offer_lanes(const float* scores, unsigned mask, QueryState* states, float* thr,
                        int64_t item, int64_t k, const int64_t* gx_end) {
  while (mask != 0) {
    const int l = __builtin_ctz(mask);
    mask &= mask - 1;
    QueryState& q = states[l];
    if (scores[l] > q.threshold) {
      offer(q, k, scores[l], item, gx_end);
      thr[l] = q.threshold;
    }
  }
}

// Items [0, n) (row-major, `dim` wide, numbered from `base`) against P panels; `thr` holds the
// panels' lane thresholds, kept equal to the states' as they rise. Pad lanes' thresholds are +inf,
// and their queries zero, so they never win (0 * x is 0 or NaN, and neither beats +inf). Compares
// are ordered greater-than, false for NaN, so a NaN score never enters a result. The items of a
// tile are offered in increasing order, so each query still sees items in increasing order.
template <int P, int R>
__attribute__((target("avx512f"))) void fused_tiles(const float* panels, int64_t dim,
                                                    const float* items, int64_t n, int64_t base,
                                                    QueryState* states, float* thr, int64_t k,
                                                    const int64_t* gx_end) {
  __m512 t[P];
  for (int p = 0; p < P; ++p) t[p] = _mm512_loadu_ps(thr + kLanes * p);
  int64_t j = 0;
  for (; j + R <= n; j += R) {
    __m512 acc[P][R];
#pragma GCC unroll 8
    for (int p = 0; p < P; ++p)
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) acc[p][r] = _mm512_setzero_ps();
    const float* it = items + j * dim;
    for (int64_t d = 0; d < dim; ++d) {
      __m512 qv[P];
#pragma GCC unroll 8
      for (int p = 0; p < P; ++p) qv[p] = _mm512_loadu_ps(panels + (p * dim + d) * kLanes);
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) {
        const __m512 b = _mm512_set1_ps(it[r * dim + d]);
#pragma GCC unroll 8
        for (int p = 0; p < P; ++p) acc[p][r] = _mm512_fmadd_ps(qv[p], b, acc[p][r]);
      }
    }
    // The fast test: per panel, the largest of its R scores (NaN skipped: vmaxps returns its
    // second operand when either is NaN, and the running maximum starts at -inf and stays a
    // number) against the lanes' thresholds. Per-item masks are formed only on the rare hit;
    // keeping P x R of them live made GCC shuffle them through the stack on every tile.
    __mmask16 any = 0;
#pragma GCC unroll 8
    for (int p = 0; p < P; ++p) {
      __m512 top = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r)  // = _mm512_max_ps, whose header trips GCC 12's uninit warning
        top = _mm512_mask_max_ps(top, static_cast<__mmask16>(0xFFFF), acc[p][r], top);
      any |= _mm512_cmp_ps_mask(top, t[p], _CMP_GT_OQ);
    }
    if (__builtin_expect(any != 0, 0)) {
      alignas(64) float s[kLanes];
      for (int r = 0; r < R; ++r)
        for (int p = 0; p < P; ++p) {
          const __mmask16 hit = _mm512_cmp_ps_mask(acc[p][r], t[p], _CMP_GT_OQ);
          if (hit != 0) {
            _mm512_store_ps(s, acc[p][r]);
            offer_lanes(s, hit, states + kLanes * p, thr + kLanes * p, base + j + r, k, gx_end);
          }
        }
      for (int p = 0; p < P; ++p) t[p] = _mm512_loadu_ps(thr + kLanes * p);
    }
  }
  if constexpr (R > 1) {
    if (j < n)
      fused_tiles<P, 1>(panels, dim, items + j * dim, n - j, base + j, states, thr, k, gx_end);
  }
}

void scan_block_fused(MatrixRef queries, MatrixRef items, int64_t chunk, QueryState* states,
                      int64_t k, const int64_t* gx_end, TopKScratch& scratch) {
  constexpr int64_t group = kPanels * kLanes;
  const int64_t nq = queries.rows, dim = queries.cols;
  const int64_t padded = (nq + group - 1) / group * group;
  scratch.panels.resize(static_cast<size_t>(padded * dim));
  pack_panels(queries, padded, scratch.panels.data());
  scratch.thresholds.assign(static_cast<size_t>(padded), std::numeric_limits<float>::infinity());
  for (int64_t r = 0; r < nq; ++r) scratch.thresholds[static_cast<size_t>(r)] = states[r].threshold;
  // Chunks keep a slice of the catalogue in L2 while every panel group of the block walks it.
  for (int64_t c0 = 0; c0 < items.rows; c0 += chunk) {
    const int64_t nc = std::min(chunk, items.rows - c0);
    // Lanes past nq are never dereferenced (their threshold is +inf), so `states + g` needs no pad.
    for (int64_t g = 0; g < padded; g += group)
      fused_tiles<kPanels, kTileItems>(scratch.panels.data() + g * dim, dim, items.row(c0), nc, c0,
                                       states + g, scratch.thresholds.data() + g, k, gx_end);
  }
}

void scan_block_gemm(MatrixRef queries, MatrixRef items, int64_t chunk, QueryState* states,
                     int64_t k, const int64_t* gx_end, TopKScratch& scratch) {
  const int64_t nq = queries.rows, dim = queries.cols;
  scratch.scores.resize(static_cast<size_t>(nq * chunk));
  for (int64_t c0 = 0; c0 < items.rows; c0 += chunk) {
    const int64_t nc = std::min(chunk, items.rows - c0);
    gemm_rowmajor(false, true, nq, nc, dim, queries.data, dim, items.row(c0), dim,
                  scratch.scores.data(), nc);
    for (int64_t r = 0; r < nq; ++r)
      scan_row(scratch.scores.data() + r * nc, nc, c0, states[r], k, gx_end);
  }
}

}  // namespace

TopKKernel topk_kernel() {
  return simd_level() == SimdLevel::kAvx512 ? TopKKernel::kFused : TopKKernel::kGemmScan;
}

const char* topk_kernel_name() {
  if (topk_kernel() == TopKKernel::kFused) return "fused AVX-512 tile";
  return simd_level() == SimdLevel::kAvx2 ? "GEMM + AVX2 scan" : "GEMM + scalar scan";
}

void scan_block(TopKKernel kernel, MatrixRef queries, MatrixRef items, int64_t chunk,
                QueryState* states, int64_t k, const int64_t* gx_end, TopKScratch& scratch) {
  if (queries.rows == 0 || items.rows == 0) return;
  if (kernel == TopKKernel::kFused && simd_level() == SimdLevel::kAvx512)
    scan_block_fused(queries, items, chunk, states, k, gx_end, scratch);
  else
    scan_block_gemm(queries, items, chunk, states, k, gx_end, scratch);
}

}  // namespace towerrec

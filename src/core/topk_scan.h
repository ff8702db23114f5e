// The inner kernel of exact top-K (core/exact_topk.h): every item of a catalogue offered to the
// running top-K of each query in one block, in increasing item order. Two ways, picked once per
// process from the SIMD level (core/simd_level.h):
//
//  - fused (AVX-512): a register tile of 64 queries x 6 items accumulates the dot products over
//    the dimension and compares them with the 64 queries' current K-th best scores right there,
//    so a score reaches memory only when it beats one. At dim 32 a score is only 32 FMAs, and a
//    GEMM writing a [block, chunk] score buffer that a second pass reads back spends more on that
//    round trip (and on OpenBLAS packing its operands each call) than on the products: measured
//    on a Xeon (AVX-512, OpenBLAS SkylakeX), 1M items x dim 32, the fused kernel scored 1.7-1.9x
//    the users/s of GEMM + scan on 1 and 2 threads (scripts/bench_score) and at least matched it
//    at dims 16-256.
//  - GEMM + scan (AVX2, baseline): core/blas.h's GEMM fills the score buffer chunk by chunk and a
//    vector compare per 16 scores finds the rare ones above the threshold. An AVX2 form of the
//    fused tile (16 registers allow 8 queries x 12 items) measured no faster than this with
//    OpenBLAS's Haswell kernels, so AVX2 keeps the GEMM.
//
// Both offer the same candidates in the same order, so the kept items agree up to the kernels'
// rounding of near-tied scores; ExactTopK rescores the kept ones in one fixed order (dot_in_order).
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "core/item_search.h"

namespace towerrec {

// The running top-K of one query: a sorted array (score descending, index ascending on ties)
// living in the caller's result row, and the score a newcomer must beat.
struct QueryState {
  float* scores = nullptr;
  int64_t* items = nullptr;
  int64_t count = 0;
  float threshold = -std::numeric_limits<float>::infinity();  // scores[k - 1] once k are held
  const int64_t* ex = nullptr;  // cursor into this query's sorted exclusions
  const int64_t* ex_end = nullptr;
  const int64_t* gx = nullptr;  // cursor into the global exclusions
};

enum class TopKKernel { kGemmScan, kFused };

// The kernel this process uses: kFused at SIMD level avx512, kGemmScan below (so TOWERREC_SIMD=avx2
// selects the GEMM path on any machine).
TopKKernel topk_kernel();
// "fused AVX-512 tile" or "GEMM + AVX2 scan" / "GEMM + scalar scan": for inspect --system and the
// benchmarks' headers.
const char* topk_kernel_name();

// Per-thread buffers of scan_block, kept across blocks so a search allocates them once.
struct TopKScratch {
  std::vector<float> scores;      // GEMM + scan: [block, chunk]
  std::vector<float> panels;      // fused: the block's queries, transposed in panels
  std::vector<float> thresholds;  // fused: each query's threshold, +inf on pad lanes
};

// Offers items [0, items.rows) in increasing order to states[0 .. queries.rows) (query r's state
// is states[r]), each item skipped if it is in the query's exclusions or the global ones
// (`gx_end` ends the array the states' gx cursors walk). `chunk` items are scored at a time.
// Items whose score is NaN are never offered. kFused runs the GEMM path where the SIMD level is
// below avx512 (so a caller may name either kernel on any machine).
void scan_block(TopKKernel kernel, MatrixRef queries, MatrixRef items, int64_t chunk,
                QueryState* states, int64_t k, const int64_t* gx_end, TopKScratch& scratch);

}  // namespace towerrec

// Exact top-K by inner product: for every query vector the K item vectors with the largest dot
// product, optionally skipping per-query excluded items (those the user rated in training) and a
// global exclusion list. This is the one scoring kernel behind `recommend`, `similar` and the
// ranking evaluation of trained models (eval/ranking_eval.h); it lives in core/ so that torch-free
// eval/ and serve/ share it.
//
// How: queries are cut into fixed blocks of `query_block`; for each block the item matrix is walked
// in chunks of `item_chunk` (sized to stay in L2) by core/topk_scan.h's kernel: with AVX-512 a
// register tile scores 64 queries x 6 items and compares them with the queries' current K-th best
// scores on the spot; otherwise a GEMM fills a [query_block, item_chunk] score buffer that a
// vector compare scans 16 scores at a time. Either way only the rare winners touch the small sorted
// top-K array. Blocks are spread over `threads` std::threads, each owning its buffers; the block
// cut does not depend on the thread count, so results are identical for any `threads`.
//
// Ties: equal scores rank the lower item index first. Reported scores are each kept item's dot
// product summed in dimension order (not the kernel's value), so bit-identical item vectors tie
// exactly and come out lowest index first — the order serve/ann_index.h uses when it expands a
// shared vector. Items with a NaN score never enter a result.
// Memory: items are borrowed, not copied; per thread one score buffer (GEMM path) or the block's
// queries transposed (fused), plus at most 2 * threads
// finished blocks waiting to be handed over in order — independent of the number of queries, so a
// caller streams a million users by calling search() on slices (or passing all at once).
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "core/item_search.h"

namespace towerrec {

// The dot product summed in dimension order, in float. Every score a result reports goes through
// this one loop (exact top-K's kept items, the retrieval ranker), so bit-identical item vectors
// score bit-identically everywhere and ties break by index on both sides.
inline float dot_in_order(const float* a, const float* b, int64_t n) {
  float s = 0;
  for (int64_t d = 0; d < n; ++d) s += a[d] * b[d];
  return s;
}

struct TopKOptions {
  int64_t k = 10;       // results per query (fewer when fewer items remain after exclusions)
  int64_t threads = 1;  // worker threads over query blocks (1 = run in the calling thread)
  // Queries per block; fixes the work split, so results never depend on threads.
  int64_t query_block = 256;
  // Items scored at a time; the chunk (and, on the GEMM path, its query_block * item_chunk score
  // buffer) should fit in L2. Results do not depend on it; speed barely does (1M items, dim 32,
  // fused: chunks of 256-4096 and blocks of 128-512 all within the run-to-run noise).
  int64_t item_chunk = 1024;
};

// One finished block of queries, valid only during the callback. Rows are in query order; each row
// holds `k` slots, the first found[r] filled (score descending, ties by lower index), the rest
// padded with item -1 and score -infinity.
struct TopKBlock {
  int64_t first_query = 0;  // index of the block's first query in the search() call
  int64_t count = 0;        // queries in the block
  int64_t k = 0;
  const int64_t* items = nullptr;  // [count, k]
  const float* scores = nullptr;   // [count, k]
  const int32_t* found = nullptr;  // [count]
};

// Called once per block, in query order, never concurrently (the search holds a lock around it).
// An exception thrown here stops the search and is rethrown from search().
using TopKCallback = std::function<void(const TopKBlock&)>;

class ExactTopK : public ItemSearch {
 public:
  // `items` is borrowed and must outlive this object. `global_exclusions` (any order, duplicates
  // fine) never appear in any result. Throws Error on k < 1, threads < 1, empty dims, or an
  // exclusion outside [0, items.rows).
  ExactTopK(MatrixRef items, TopKOptions options, std::vector<int64_t> global_exclusions = {});

  // Scores `queries` ([n, dim], dim = items.cols) and calls `on_block` for every finished block.
  // Throws Error when the dims differ or the exclusions are malformed (unsorted, out of range).
  // Sets OpenBLAS to one thread for the process: parallelism comes from the query blocks, and
  // BLAS threads on top would oversubscribe the cores (see train/threads.h).
  void search(MatrixRef queries, ExclusionsRef exclusions, const TopKCallback& on_block) const;

  // Convenience form that keeps every result in memory ([queries.rows, k]).
  TopKResult search(MatrixRef queries, ExclusionsRef exclusions = {}) const;
  // ItemSearch: the same with k results per query instead of options().k.
  TopKResult search(MatrixRef queries, int64_t k, ExclusionsRef exclusions) const override;
  int64_t size() const override { return items_.rows; }
  int64_t dim() const override { return items_.cols; }

  const TopKOptions& options() const { return options_; }
  const MatrixRef& items() const { return items_; }

 private:
  MatrixRef items_;
  TopKOptions options_;
  std::vector<int64_t> global_;  // sorted, unique
};

}  // namespace towerrec

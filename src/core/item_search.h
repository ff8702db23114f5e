// ItemSearch: the one top-K search contract over a catalogue of item vectors, Faiss-Index style.
// Implementations: ExactTopK (exact, inner product, blocked GEMM; core/exact_topk.h), NearestItems
// (exact, smallest squared L2 distance; core/nearest_items.h) and AnnIndex (approximate, inner
// product, hnswlib; serve/ann_index.h). Callers hold an ItemSearch and never ask which one it is;
// serve/item_search_factory.h picks one from the options.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace towerrec {

// A borrowed row-major float matrix: rows x cols, row r at data + r * cols.
struct MatrixRef {
  const float* data = nullptr;
  int64_t rows = 0;
  int64_t cols = 0;
  const float* row(int64_t r) const { return data + r * cols; }
};

// Per-query excluded item indices in CSR form, for the queries of one search() call: query q skips
// items[offsets[q] .. offsets[q+1]), which must be sorted ascending (duplicates allowed) and lie in
// [0, n_items). offsets has rows + 1 entries with offsets[0] = 0. Borrowed, not copied.
struct ExclusionsRef {
  const int64_t* offsets = nullptr;  // nullptr: nothing excluded per query
  const int64_t* items = nullptr;
};

// All results of one search, [rows, k] each: row r holds found[r] items, best first (ties by lower
// index), the rest padded with item -1 and score -infinity.
struct TopKResult {
  int64_t rows = 0;
  int64_t k = 0;
  std::vector<int64_t> items;
  std::vector<float> scores;
  std::vector<int32_t> found;

  // rows x k padding (item -1, score -infinity), nothing found yet.
  static TopKResult padded(int64_t rows, int64_t k) {
    TopKResult r;
    r.rows = rows;
    r.k = k;
    r.items.assign(static_cast<size_t>(rows * k), -1);
    r.scores.assign(r.items.size(), -std::numeric_limits<float>::infinity());
    r.found.assign(static_cast<size_t>(rows), 0);
    return r;
  }
};

class ItemSearch {
 public:
  virtual ~ItemSearch() = default;

  // For every query vector (`queries` [rows, dim()], borrowed), the k best catalogue items by the
  // searcher's measure, skipping the query's exclusions (CSR over the rows of this call, each list
  // sorted ascending; see ExclusionsRef) and any the searcher was built to exclude. Returns the
  // TopKResult layout, [rows, k]: best first, ties by lower index, row r holding found[r] items and
  // padded with item -1 and score -infinity. Scores are "larger is better": the dot product, or the
  // negated squared distance for L2. Throws Error on k < 1, a dimension other than dim(), or
  // malformed exclusions. const: may run concurrently with other searches.
  virtual TopKResult search(MatrixRef queries, int64_t k, ExclusionsRef exclusions) const = 0;

  // Catalogue items and their dimension.
  virtual int64_t size() const = 0;
  virtual int64_t dim() const = 0;
};

}  // namespace towerrec

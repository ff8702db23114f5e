// Recall@K of an approximate top-K against the exact one, for `recommend --retrieval` and
// scripts/bench_score.
//
// Two counts, because trained catalogues hold many bit-identical item vectors and so many exact
// ties:
//   by id     |approx ∩ exact| / |exact|. Well-defined only when both sides break ties the same
//             way; the exact top-K ranks equal scores by lower item index, and so does the ANN
//             index (serve/ann_index.h expands a found vector to its items in index order).
//   tie-aware approx items scoring at least the exact K-th score (within `tolerance`) over |exact|:
//             a tied item the exact order happened to drop is as good as the one it kept. This is
//             the fair measure for candidate generators, which see only some of several tied items.
#pragma once

#include <cstdint>

namespace towerrec {

// Scores this close count as tied: the GEMM and per-candidate dot products round differently (a
// few ulps of values in [-1, 1]).
constexpr float kRecallTieTolerance = 1e-5f;

struct RecallCount {
  int64_t truth = 0;  // exact results seen
  int64_t ids = 0;    // approx results that are exact results
  int64_t ties = 0;   // approx results scoring at least the exact K-th score

  // Adds one query: exact row (exact_found results, score descending) and approx row (approx_found
  // results). Items < 0 are padding and never count.
  void add(const int64_t* exact_items, const float* exact_scores, int64_t exact_found,
           const int64_t* approx_items, const float* approx_scores, int64_t approx_found,
           float tolerance = kRecallTieTolerance);
  // ids / truth and ties / truth; 0 when nothing was seen.
  double by_id() const;
  double tie_aware() const;
};

}  // namespace towerrec

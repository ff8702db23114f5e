// Ranking quality of one user's list: Recall@K and NDCG@K with binary relevance, and the top-K
// selection they are computed on.
#pragma once

#include <cstdint>
#include <vector>

namespace towerrec {

// The `k` best candidates, best first: higher score first, equal scores by ascending item index (so
// the order is deterministic and a constant scorer ranks in catalogue order). `scores` has one
// entry per catalogue item; `candidates` lists the item indices that may be recommended. Throws
// Error when a candidate's score is NaN.
std::vector<int32_t> top_k(const float* scores, const std::vector<int32_t>& candidates, int64_t k);

// hits in ranked[0..k) / |relevant|; 0 when `relevant` is empty. `relevant` must be sorted
// ascending.
double recall_at_k(const std::vector<int32_t>& ranked, const std::vector<int32_t>& relevant,
                   int64_t k);

// DCG / IDCG with gains 1 / log2(position + 1) (positions from 1), relevant items gain 1, others 0;
// IDCG puts min(k, |relevant|) relevant items first. 0 when `relevant` is empty. `relevant` sorted.
double ndcg_at_k(const std::vector<int32_t>& ranked, const std::vector<int32_t>& relevant,
                 int64_t k);

}  // namespace towerrec

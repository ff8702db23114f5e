// Related items by squared Euclidean distance between feature vectors (the course's "find similar
// items": the k items with smallest ‖x_k − x_i‖²). A thin adapter over core/nearest_items.h's
// NearestItems, the routine `towerrec similar` uses for the towers' item vectors, so both models'
// related items come from one implementation. Distances are recomputed in double from the vectors.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace towerrec {

// `vecs` is row-major [n, d]. Returns up to k (index, squared distance) pairs, nearest first (ties:
// lower index first), never `query` itself. Throws Error when query is not in [0, n) or k < 0.
std::vector<std::pair<int32_t, float>> nearest_by_l2(const float* vecs, int64_t n, int64_t d,
                                                     int64_t query, int64_t k);

}  // namespace towerrec

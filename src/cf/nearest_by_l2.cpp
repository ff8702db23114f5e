#include "cf/nearest_by_l2.h"

#include <algorithm>
#include <string>

#include "core/error.h"
#include "core/nearest_items.h"

namespace towerrec {

// The shared routine (core/nearest_items.h: blocked GEMM + partial selection over ‖x‖²-augmented
// vectors), so the CF model's related items and `towerrec similar` rank by the same code.
std::vector<std::pair<int32_t, float>> nearest_by_l2(const float* vecs, int64_t n, int64_t d,
                                                     int64_t query, int64_t k) {
  if (query < 0 || query >= n)
    throw Error("nearest_by_l2: expected query in [0, " + std::to_string(n) + "), found " +
                std::to_string(query));
  if (k < 0) throw Error("nearest_by_l2: expected k >= 0, found " + std::to_string(k));
  std::vector<std::pair<int32_t, float>> out;
  if (k == 0 || n < 2) return out;
  TopKOptions topk;
  topk.k = std::min(k, n - 1);
  const NearestItems nearest({vecs, n, d}, topk);
  const NeighborResult r = nearest.search({query});
  for (int32_t j = 0; j < r.found[0]; ++j)
    out.emplace_back(static_cast<int32_t>(r.items[static_cast<size_t>(j)]),
                     r.distances[static_cast<size_t>(j)]);
  return out;
}

}  // namespace towerrec

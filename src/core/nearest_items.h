// Related items: for item i the k items with the smallest squared Euclidean distance ‖v_j − v_i‖²,
// never i itself. One routine serves the two-tower item vectors and the CF module's item features
// x.
//
// It runs on ExactTopK: ‖v_j − v_i‖² = ‖v_i‖² − (2·v_i·v_j − ‖v_j‖²), so ranking by the score
// [2·v_i, −1]·[v_j, ‖v_j‖²] (largest first) is ranking by distance (smallest first) — for general
// vectors, not only L2-normalised ones (where it reduces to ranking by dot product). The item
// matrix is copied once, augmented by one column. Returned distances are recomputed directly from
// the two vectors (in double), so they carry no cancellation error from the score.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/exact_topk.h"
#include "core/item_search.h"

namespace towerrec {

// Neighbours of a batch of items, [rows, k] each, nearest first (ties: lower index first). Row r
// holds found[r] neighbours; the rest is padded with item -1 and distance +infinity.
struct NeighborResult {
  int64_t rows = 0;
  int64_t k = 0;
  std::vector<int64_t> items;
  std::vector<float> distances;  // squared Euclidean
  std::vector<int32_t> found;
};

// One finished block, valid during the callback only; same layout and order guarantees as
// TopKBlock.
struct NeighborBlock {
  int64_t first = 0;  // index into the `of` list of the call
  int64_t count = 0;
  int64_t k = 0;
  const int64_t* items = nullptr;    // [count, k]
  const float* distances = nullptr;  // [count, k]
  const int32_t* found = nullptr;    // [count]
};
using NeighborCallback = std::function<void(const NeighborBlock&)>;

class NearestItems : public ItemSearch {
 public:
  // `vectors` ([n, dim]) is copied (augmented); options as for ExactTopK (k = neighbours per item).
  NearestItems(MatrixRef vectors, TopKOptions options);

  // Neighbours of the items listed in `of` (indices into the vectors; throws Error when one is out
  // of range). Streams blocks in order, like ExactTopK::search.
  void search(const std::vector<int64_t>& of, const NeighborCallback& on_block) const;
  NeighborResult search(const std::vector<int64_t>& of) const;
  // Neighbours of every item, in item order.
  NeighborResult search_all() const;

  // ItemSearch: the k items nearest to each query vector ([rows, dim]) by squared L2 distance, the
  // query's exclusions skipped (pass an item's own index to leave it out). Scores are the negated
  // distances, recomputed in double as above. An item's own vector as the query gives the same
  // neighbours as search({item}) when the item is excluded.
  TopKResult search(MatrixRef queries, int64_t k, ExclusionsRef exclusions) const override;

  int64_t size() const override { return n_; }
  int64_t dim() const override { return dim_; }

 private:
  int64_t n_;
  int64_t dim_;
  std::vector<float> augmented_;  // [n, dim + 1]: v_j, ‖v_j‖²
  TopKOptions options_;
};

}  // namespace towerrec

#include "serve/item_search_factory.h"

#include "core/error.h"
#include "core/nearest_items.h"
#include "serve/ann_index.h"

namespace towerrec {

bool neighbors_from_index(const RetrievalOptions& retrieval) {
  return retrieval.neighbors == NeighborSource::kAnn;
}

std::shared_ptr<const ItemSearch> make_neighbor_search(const RetrievalOptions& retrieval,
                                                       MatrixRef items, int64_t threads,
                                                       std::shared_ptr<const AnnIndex> index) {
  if (neighbors_from_index(retrieval)) {
    TOWERREC_CHECK(index != nullptr);
    return index;
  }
  TopKOptions o;
  o.k = retrieval.per_item_m;
  o.threads = threads;
  return std::make_shared<NearestItems>(items, o);
}

}  // namespace towerrec

// The one place an option picks a top-K searcher (core/item_search.h): callers hold the
// ItemSearch it returns and never fork on retrieval.neighbors themselves.
#pragma once

#include <cstdint>
#include <memory>

#include "config/options.h"
#include "core/item_search.h"

namespace towerrec {

class AnnIndex;

// Whether retrieval.neighbors takes the seed items' neighbours from the ANN index, which the caller
// then loads or builds and passes to make_neighbor_search.
bool neighbors_from_index(const RetrievalOptions& retrieval);

// The searcher for the nearest items of seed items: the ANN index (inner product, shared with the
// caller; required when neighbors_from_index) or exact search by L2 distance over `items` ([n,
// dim], copied), `threads` threads and retrieval.per_item_m results by default. Queries are the
// seeds' own vectors with the seed excluded.
std::shared_ptr<const ItemSearch> make_neighbor_search(const RetrievalOptions& retrieval,
                                                       MatrixRef items, int64_t threads,
                                                       std::shared_ptr<const AnnIndex> index);

}  // namespace towerrec

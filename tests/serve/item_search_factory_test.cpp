#include "serve/item_search_factory.h"

#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "core/nearest_items.h"
#include "core/rng.h"
#include "serve/ann_index.h"

using namespace towerrec;

TEST_CASE("make_neighbor_search: the ANN index or exact L2 search, from retrieval.neighbors",
          "[serve]") {
  const int64_t n = 200, dim = 8;
  Rng rng(5);
  std::vector<float> items(static_cast<size_t>(n * dim));
  for (float& x : items) x = static_cast<float>(rng.normal());
  const MatrixRef ref{items.data(), n, dim};
  auto index = std::make_shared<AnnIndex>(AnnIndex::build(ref, AnnOptions{}));
  RetrievalOptions ro;
  ro.per_item_m = 4;
  ro.neighbors = NeighborSource::kAnn;
  CHECK(neighbors_from_index(ro));
  CHECK(make_neighbor_search(ro, ref, 2, index).get() == index.get());
  ro.neighbors = NeighborSource::kExact;
  CHECK_FALSE(neighbors_from_index(ro));
  const std::shared_ptr<const ItemSearch> exact = make_neighbor_search(ro, ref, 2, nullptr);
  REQUIRE(exact != nullptr);
  const std::vector<int64_t> off = {0, 1}, self = {9};
  const TopKResult r =
      exact->search({items.data() + 9 * dim, 1, dim}, 4, {off.data(), self.data()});
  TopKOptions o;
  o.k = 4;
  const NeighborResult want = NearestItems(ref, o).search(std::vector<int64_t>{9});
  CHECK(r.items == want.items);
  CHECK(r.found == want.found);
}

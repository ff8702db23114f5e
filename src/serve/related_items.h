// `towerrec similar`: related items by nearest item vectors, ‖v_k − v_i‖² smallest first (for the
// towers' L2-normalised vectors this ranks the same as the dot product), never the item itself.
// The routine is core/nearest_items.h's NearestItems, which the CF module's related items use as
// well.
#pragma once

#include <cstdint>
#include <ostream>
#include <vector>

#include "config/options.h"
#include "core/progress.h"

namespace towerrec {

class VectorSource;

struct RelatedSummary {
  int64_t items = 0;  // query items
  int64_t rows = 0;   // CSV rows written
  double seconds = 0;
};

// Writes CSV `item_id,rank,similar_item_id,distance` to `out` (distance = squared Euclidean, 6
// significant digits), query items in the order of `of` (dense item rows), serve.k per item.
// Streams in blocks: memory is the item matrix plus one block of results. Progress stage
// "similar", unit "items".
RelatedSummary related_items(const VectorSource& source, const ServeOptions& options,
                             const std::vector<int32_t>& of, std::ostream& out,
                             const ProgressFn& progress = {});

struct RelatedRequest {
  std::vector<int32_t> items;  // query items (dense rows), in output order
  bool titles = false;  // add a `title` column: the similar item's catalogue title, CSV-quoted
};
// The same, with the request's columns.
RelatedSummary related_items(const VectorSource& source, const ServeOptions& options,
                             const RelatedRequest& request, std::ostream& out,
                             const ProgressFn& progress = {});

}  // namespace towerrec

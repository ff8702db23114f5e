// The item tower's raw (unscaled) input: one row per catalogue item, dense item index order.
#pragma once

#include <map>
#include <string>

#include "config/options.h"
#include "data/feature_matrix.h"

namespace towerrec {

struct Dataset;
struct RatingStats;

// Columns, in this order (a group is absent when the data cannot fill it):
//   item.year, item.year_missing   when item_meta.year is filled and some item has a known year;
//                                  year_missing only when some catalogue item has year 0 (unknown)
//   item.genre.<name>              multi-hot, one per item_meta.genre_names entry
//   item.avg_rating                training average shrunk toward the global mean:
//                                  (sum + shrinkage * global_mean) / (count + shrinkage)
//   item.log_count                 log1p(training rating count)
// Items without training ratings still get a row (count 0, average = global mean).
// Unknown years are imputed with the mean year of the items rated in training (falling back to the
// whole catalogue's mean when none of those has a year — metadata, not ratings, so no leak); the
// value used is recorded in (*imputed)["item.year"] when `imputed` is given.
FeatureMatrix build_item_features(const Dataset& data, const RatingStats& stats,
                                  const FeatureOptions& opts,
                                  std::map<std::string, double>* imputed = nullptr);

}  // namespace towerrec

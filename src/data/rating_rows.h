// The ratings loop shared by the MovieLens readers: user, item, rating, timestamp per record, in
// file order. Items must already be in the catalogue (data.items); users get indices in order of
// first appearance. Checks ids, the declared rating scale and the field count, then applies the
// duplicates policy. Reserves the arrays once from the line count, so 25M rows cost 20 bytes each
// and no regrowth.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "config/options.h"
#include "core/progress.h"

namespace towerrec {

struct Dataset;

// The largest raw user or movie id the MovieLens readers accept; a larger one is a file:line error.
constexpr int64_t kMaxRawId = std::numeric_limits<int32_t>::max();

struct RatingFileLayout {
  std::string separator = ",";
  bool quotes = true;
  bool header = true;  // first line must be the field names joined by separator
  std::string user_field = "userId";
  std::string item_field = "movieId";
  std::string rating_field = "rating";
  std::string time_field = "timestamp";
  std::string catalogue;  // file the items come from, for the missing-item message ("movies.csv")
};

void read_rating_rows(const std::string& path, const RatingFileLayout& layout,
                      const DataOptions& opts, Dataset& data, const ProgressFn& progress);

}  // namespace towerrec

#include "features/rating_stats.h"

#include <algorithm>
#include <limits>
#include <string>

#include "core/error.h"
#include "data/dataset.h"

namespace towerrec {

RatingStats RatingStats::from_rows(const Dataset& data, const std::vector<uint32_t>& rows) {
  if (rows.empty()) {
    throw Error("training split: expected at least one training rating, found none");
  }
  RatingStats s;
  s.num_users = data.num_users();
  s.num_items = data.num_items();
  // Genre bits are only usable when every item has a mask; a reader without genres leaves it empty.
  const bool has_genres = !data.item_meta.genre_names.empty() &&
                          data.item_meta.genres.size() == static_cast<size_t>(s.num_items);
  s.num_genres = has_genres ? static_cast<int32_t>(data.item_meta.genre_names.size()) : 0;
  s.user_sum.assign(s.num_users, 0.0);
  s.user_count.assign(s.num_users, 0);
  s.item_sum.assign(s.num_items, 0.0);
  s.item_count.assign(s.num_items, 0);
  s.user_genre_sum.assign(static_cast<size_t>(s.num_users) * s.num_genres, 0.0);
  s.user_genre_count.assign(static_cast<size_t>(s.num_users) * s.num_genres, 0);

  const Ratings& r = data.ratings;
  double total = 0;
  s.min = std::numeric_limits<double>::infinity();
  s.max = -s.min;
  for (uint32_t row : rows) {
    if (row >= r.size()) {
      throw Error("training split: expected row indices < " + std::to_string(r.size()) +
                  " (ratings in the dataset), found " + std::to_string(row));
    }
    const int32_t u = r.user[row], i = r.item[row];
    const double v = r.value[row];
    total += v;
    s.min = std::min(s.min, v);
    s.max = std::max(s.max, v);
    s.user_sum[u] += v;
    ++s.user_count[u];
    s.item_sum[i] += v;
    ++s.item_count[i];
    if (s.num_genres) {
      const uint64_t mask = data.item_meta.genres[i];
      const size_t base = static_cast<size_t>(u) * s.num_genres;
      for (int32_t g = 0; g < s.num_genres; ++g) {
        if (mask >> g & 1u) {
          s.user_genre_sum[base + g] += v;
          ++s.user_genre_count[base + g];
        }
      }
    }
  }
  s.count = static_cast<int64_t>(rows.size());
  s.global_mean = total / static_cast<double>(s.count);
  return s;
}

}  // namespace towerrec

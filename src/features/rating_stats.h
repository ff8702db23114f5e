// Sums and counts of the TRAINING ratings per user, per item and per (user, genre). This is the
// only place feature engineering reads rating values, which is what makes "features come from the
// training split only" checkable in one spot.
#pragma once

#include <cstdint>
#include <vector>

namespace towerrec {

struct Dataset;

struct RatingStats {
  int32_t num_users = 0;
  int32_t num_items = 0;
  int32_t num_genres = 0;        // data.item_meta.genre_names.size() (0 when items have no genres)
  int64_t count = 0;             // training ratings
  double global_mean = 0;        // mean training rating
  double min = 0, max = 0;       // lowest / highest training rating
  std::vector<double> user_sum;  // [num_users]
  std::vector<int64_t> user_count;  // [num_users]
  std::vector<double> item_sum;     // [num_items]
  std::vector<int64_t> item_count;  // [num_items]
  // [num_users * num_genres], row-major: ratings by user u of items that carry genre g (an item
  // with three genres counts in all three).
  std::vector<double> user_genre_sum;
  std::vector<int64_t> user_genre_count;

  // Throws Error when `rows` is empty or a row index is out of range.
  static RatingStats from_rows(const Dataset& data, const std::vector<uint32_t>& rows);

  double user_mean_or_global(int32_t u) const {
    return user_count[u] ? user_sum[u] / user_count[u] : global_mean;
  }
  double item_mean_or_global(int32_t i) const {
    return item_count[i] ? item_sum[i] / item_count[i] : global_mean;
  }
  // (sum + k * global_mean) / (count + k); the global mean for an unrated item (k may be 0).
  double item_mean_shrunk(int32_t i, double k) const {
    double denom = static_cast<double>(item_count[i]) + k;
    return denom > 0 ? (item_sum[i] + k * global_mean) / denom : global_mean;
  }
};

}  // namespace towerrec

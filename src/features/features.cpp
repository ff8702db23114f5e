#include "features/features.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "data/dataset.h"
#include "features/item_features.h"
#include "features/rating_stats.h"
#include "features/user_features.h"

namespace towerrec {

namespace {

std::vector<uint32_t> rows_with_ratings(const std::vector<int64_t>& count) {
  std::vector<uint32_t> rows;
  for (size_t i = 0; i < count.size(); ++i) {
    if (count[i] > 0) rows.push_back(static_cast<uint32_t>(i));
  }
  return rows;
}

nlohmann::json side_json(const FeatureMatrix& m, const ColumnScaler& s) {
  nlohmann::json j = s.to_json();
  j["names"] = m.names;
  return j;
}

}  // namespace

nlohmann::json Features::stats_json() const {
  nlohmann::json j;
  j["version"] = 1;
  j["user"] = side_json(user_raw, user_scaler);
  j["item"] = side_json(item_raw, item_scaler);
  j["target"] = target.to_json();
  j["global_mean"] = global_mean;
  j["imputed"] = nlohmann::json::object();
  for (const auto& [name, value] : imputed) j["imputed"][name] = value;
  if (!watched_ids.empty()) j["watched_items"] = watched_ids;
  if (!item_id_ids.empty()) j["item_ids"] = item_id_ids;
  return j;
}

Features build_features(const Dataset& data, const std::vector<uint32_t>& train_rows,
                        const FeatureOptions& opts) {
  const RatingStats stats = RatingStats::from_rows(data, train_rows);
  Features f;
  f.global_mean = stats.global_mean;
  f.user_raw = build_user_features(data, stats, opts, &f.imputed);
  f.item_raw = build_item_features(data, stats, opts, &f.imputed);
  // Non-empty: train_rows is non-empty, so some user and some item has a training rating.
  f.user_scaler.fit(f.user_raw, rows_with_ratings(stats.user_count));
  f.item_scaler.fit(f.item_raw, rows_with_ratings(stats.item_count));
  f.user = f.user_scaler.applied(f.user_raw);
  f.item = f.item_scaler.applied(f.item_raw);
  f.target.min = stats.min;
  f.target.max = stats.max > stats.min ? stats.max : stats.min + 1.0;
  if (opts.watched_items > 0) {
    f.watched = WatchedItems::build(data, train_rows, opts.watched_items);
    for (int32_t i : f.watched.vocab) f.watched_ids.push_back(data.items.id(i));
    f.user_bag = f.watched.bags(data, train_rows);
  }
  if (opts.item_ids > 0) {
    f.item_id_vocab = WatchedItems::build(data, train_rows, opts.item_ids);
    for (int32_t i : f.item_id_vocab.vocab) f.item_id_ids.push_back(data.items.id(i));
    f.item_bag = f.item_id_vocab.own_positions();
  }
  return f;
}

}  // namespace towerrec

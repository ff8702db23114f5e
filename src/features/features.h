// Feature engineering for the two towers. Everything is fit on the training split only: a rating
// outside `train_rows` changes no feature, no scaling statistic and not the target scale (tested in
// tests/features/features_test.cpp, "no leakage").
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "config/options.h"
#include "data/feature_matrix.h"
#include "features/column_scaler.h"
#include "features/sparse_rows.h"
#include "features/target_scaler.h"
#include "features/watched_items.h"

namespace towerrec {

struct Dataset;
struct ContentLab;

struct Features {
  FeatureMatrix user_raw;  // [num_users, du] unscaled, row = dense user index (lab: training row)
  FeatureMatrix item_raw;  // [num_items, di] unscaled, row = dense item index (lab: training row)
  ColumnScaler user_scaler;
  ColumnScaler item_scaler;
  FeatureMatrix user;  // scaled user_raw: what the user tower sees
  FeatureMatrix item;  // scaled item_raw: what the item tower sees
  TargetScaler target;
  double global_mean = 0;  // mean training rating (stars)
  // Values that replaced missing raw inputs, by column name ("item.year", "user.age"): a serving
  // path that computes features for a new entity must impute the same way.
  std::map<std::string, double> imputed;
  // features.watched_items > 0: the vocabulary and one bag per user (row = dense user index) from
  // the training split (features/watched_items.h); watched_ids are the vocabulary's item ids.
  // Empty otherwise (and in course-lab mode).
  WatchedItems watched;
  std::vector<int64_t> watched_ids;
  SparseRows user_bag;
  // features.item_ids > 0: the id vocabulary (the N most-rated training items) and one bag per item
  // (row = dense item index) holding its own vocabulary position with weight 1 (empty for items
  // outside it); item_id_ids are the vocabulary's item ids. Empty otherwise.
  WatchedItems item_id_vocab;
  std::vector<int64_t> item_id_ids;
  SparseRows item_bag;

  // {"version": 1,
  //  "user": {"names": [...], "mean": [...], "scale": [...]},
  //  "item": {"names": [...], "mean": [...], "scale": [...]},
  //  "target": {"min": m, "max": M}, "global_mean": g, "imputed": {"item.year": y, ...},
  //  "watched_items": [item ids in bag order],   (only with features.watched_items > 0)
  //  "item_ids": [item ids in bag order]}        (only with features.item_ids > 0)
  // Saved in the run directory as features.json and baked into the TorchScript export.
  nlohmann::json stats_json() const;
};

// Builds user and item features from `data` using only the ratings in `train_rows` (column layout:
// features/user_features.h and features/item_features.h). Each ColumnScaler is fit on the rows of
// the entities that have at least one training rating: those are the rows the towers learn from,
// and cold rows (all-zero counts) would otherwise pull the count columns' mean toward 0. Fitting
// over all catalogue rows would be leak-free as well — the features themselves come from training
// ratings only. The target scale is [min, max] of the training ratings (widened to [min, min + 1]
// when all are equal, so scale() never divides by zero). Throws Error when `train_rows` is empty or
// out of range.
Features build_features(const Dataset& data, const std::vector<uint32_t>& train_rows,
                        const FeatureOptions& opts);

// Course-lab mode: every row of lab.user_train / lab.item_train is its own "user" / "item" entity
// (user_raw row r = lab.user_train row r from column ContentLab::kUserFirstFeature on; item_raw row
// r = lab.item_train row r from column kItemFirstFeature on), as the lab trains. Both scalers are
// StandardScalers fit on the rows `train_rows` only (the lab fit on all rows before splitting;
// fitting on the training part keeps its test rows out of the statistics), and the target scale is
// [min, max] of y_train over `train_rows`. Throws Error when `train_rows` is empty or out of range,
// or the lab's matrices disagree in rows.
Features build_lab_features(const ContentLab& lab, const std::vector<uint32_t>& train_rows);

// lab.item_vecs (the 847 movies) cut to the item columns and scaled with `f.item_scaler`: the item
// tower's input for scoring the whole lab catalogue. Row = lab.item_vecs row.
FeatureMatrix lab_item_catalogue(const ContentLab& lab, const Features& f);

}  // namespace towerrec

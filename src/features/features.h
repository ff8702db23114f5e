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
#include "features/column_scaler.h"
#include "features/feature_matrix.h"
#include "features/target_scaler.h"

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

  // {"version": 1,
  //  "user": {"names": [...], "mean": [...], "scale": [...]},
  //  "item": {"names": [...], "mean": [...], "scale": [...]},
  //  "target": {"min": m, "max": M}, "global_mean": g, "imputed": {"item.year": y, ...}}
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

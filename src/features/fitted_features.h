// What a run fitted on its training split and saved as features.json (Features::stats_json): column
// names in the towers' input order, the scalers, the target scale, the global mean, the imputation
// values and the bag vocabularies (item ids). Read back as a typed struct, so features for data the
// run never saw (features/current_features.h) are built with exactly the run's layout and scaling,
// without the run's training data.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "features/column_scaler.h"
#include "features/target_scaler.h"

namespace towerrec {

struct FittedFeatures {
  std::vector<std::string> user_names;  // the user tower's raw input columns, in order
  std::vector<std::string> item_names;  // the item tower's raw input columns, in order
  ColumnScaler user_scaler;             // one mean/scale per user_names entry
  ColumnScaler item_scaler;             // one mean/scale per item_names entry
  TargetScaler target;
  double global_mean = 0;                 // mean training rating (stars)
  std::map<std::string, double> imputed;  // "item.year", "user.<col>": value for a missing input
  std::vector<int64_t> watched_ids;       // user bag vocabulary (item ids, bag order); empty: none
  std::vector<int64_t> item_id_ids;       // item id vocabulary (item ids, bag order); empty: none

  // Parses the object Features::stats_json() writes. Throws InputError naming `path` and the key
  // on a malformed object (missing key, wrong type, sizes that differ).
  static FittedFeatures from_json(const nlohmann::json& j, const std::string& path);
  // Reads and parses a features.json file (IoError when unreadable, InputError when malformed).
  static FittedFeatures load(const std::string& path);
};

}  // namespace towerrec

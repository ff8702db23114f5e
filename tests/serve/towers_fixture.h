// A small trained-shaped two-tower model with hand-made features, for the export tests: raw feature
// columns on very different scales (so a missing or wrong scaling shows), one constant column
// (scale 1), the scalers fit on the raw rows as build_features does, and a target scale of [1, 5].
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "features/features.h"
#include "model/two_tower_model.h"

namespace towerrec::test {

struct TowersFixture {
  TwoTowerModel model;
  Features features;     // user_raw/item_raw: `rows` raw rows each; user/item: the scaled copies
  nlohmann::json stats;  // features.stats_json()
};

// user tower 5 -> [16, 8] -> 6, item tower 7 -> [12] -> 6. With `bags`, the user tower also has
// a watched-items bag of 9 positions and the item tower an id bag of 4 (features.user_bag /
// item_bag filled with seeded entries, some rows empty) and the model a linear rating head.
TowersFixture make_towers_fixture(int64_t rows, uint64_t seed = 7, bool bags = false);

// Largest absolute elementwise difference of two equally long vectors (infinity when sizes differ).
double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace towerrec::test

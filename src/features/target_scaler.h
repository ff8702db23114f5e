// Ratings mapped linearly between stars and the [-1, 1] range the towers' dot product is trained
// on.
#pragma once

#include <nlohmann/json_fwd.hpp>

namespace towerrec {

// [min, max] are the lowest and highest TRAINING ratings (the course lab's MinMaxScaler((-1, 1))
// fit on y_train); min < max always holds (build_features widens a degenerate range, see there).
struct TargetScaler {
  double min = 0.5;
  double max = 5.0;
  float scale(float stars) const {
    return static_cast<float>(2.0 * (stars - min) / (max - min) - 1.0);
  }
  float unscale(float s) const { return static_cast<float>((s + 1.0) * 0.5 * (max - min) + min); }

  // {"min": m, "max": M}
  nlohmann::json to_json() const;
  // Throws Error on a missing/non-numeric key or min >= max.
  static TargetScaler from_json(const nlohmann::json& j);
};

}  // namespace towerrec

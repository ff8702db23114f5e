// Rating-prediction error: RMSE and MAE in stars.
#pragma once

#include <cstdint>
#include <vector>

namespace towerrec {

struct Dataset;

struct RatingMetrics {
  double rmse = 0;
  double mae = 0;
  int64_t count = 0;  // ratings compared
};

// Throws Error when the sizes differ, or there is nothing to compare, or a prediction is NaN/inf.
RatingMetrics rating_metrics(const std::vector<float>& predictions,
                             const std::vector<float>& truth);

// predictions[k] is the prediction for rating row rows[k] of `data` (stars).
RatingMetrics rating_metrics(const Dataset& data, const std::vector<uint32_t>& rows,
                             const std::vector<float>& predictions);

}  // namespace towerrec

#include "eval/rating_metrics.h"

#include <cmath>
#include <string>

#include "core/error.h"
#include "data/dataset.h"

namespace towerrec {

RatingMetrics rating_metrics(const std::vector<float>& predictions,
                             const std::vector<float>& truth) {
  if (predictions.size() != truth.size()) {
    throw Error("rating metrics: expected one prediction per rating (" +
                std::to_string(truth.size()) + "), found " + std::to_string(predictions.size()));
  }
  if (truth.empty()) throw Error("rating metrics: expected at least one rating, found none");
  double se = 0, ae = 0;
  for (size_t k = 0; k < truth.size(); ++k) {
    if (!std::isfinite(predictions[k])) {
      throw Error("rating metrics: expected finite predictions, found " +
                  std::to_string(predictions[k]) + " at position " + std::to_string(k));
    }
    const double d = static_cast<double>(predictions[k]) - truth[k];
    se += d * d;
    ae += std::fabs(d);
  }
  RatingMetrics m;
  m.count = static_cast<int64_t>(truth.size());
  m.rmse = std::sqrt(se / m.count);
  m.mae = ae / m.count;
  return m;
}

RatingMetrics rating_metrics(const Dataset& data, const std::vector<uint32_t>& rows,
                             const std::vector<float>& predictions) {
  std::vector<float> truth;
  truth.reserve(rows.size());
  for (uint32_t r : rows) {
    TOWERREC_CHECK(r < data.ratings.size());
    truth.push_back(data.ratings.value[r]);
  }
  return rating_metrics(predictions, truth);
}

}  // namespace towerrec

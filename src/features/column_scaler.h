// Per-column standardisation of a FeatureMatrix, fit on chosen rows (the training entities) and
// then applied to every row, so cold entities are scaled with statistics they did not influence.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "data/feature_matrix.h"

namespace towerrec {

// x' = (x - mean) / scale. scale is the population standard deviation (ddof 0, as scikit-learn's
// StandardScaler, which the course lab uses); a column that is constant over the fitted rows gets
// scale 1 so it maps to 0 rather than to NaN.
struct ColumnScaler {
  std::vector<float> mean;   // one per column
  std::vector<float> scale;  // one per column, > 0

  // Fits over every row of `m`.
  void fit(const FeatureMatrix& m);
  // Fits over rows `rows` of `m` only (each < m.rows; duplicates count twice). Throws Error when
  // `rows` is empty: there is nothing to estimate a scale from.
  void fit(const FeatureMatrix& m, const std::vector<uint32_t>& rows);
  // In place. Precondition: m.cols() == mean.size() (checked: a mismatch is a bug).
  void apply(FeatureMatrix& m) const;
  // Returns a scaled copy.
  FeatureMatrix applied(const FeatureMatrix& m) const;

  // {"mean": [...], "scale": [...]}
  nlohmann::json to_json() const;
  // Throws Error naming the key and what was found on a malformed object (missing key, sizes that
  // differ, a scale <= 0 or non-finite value).
  static ColumnScaler from_json(const nlohmann::json& j);
};

}  // namespace towerrec

#include "features/column_scaler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace towerrec {

namespace {

std::vector<float> float_array(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_array()) {
    throw Error(std::string("column scaler: key '") + key +
                "': expected an array of numbers, found " +
                (j.is_object() && j.contains(key) ? quote_found(j[key].dump()) : "no such key"));
  }
  std::vector<float> out;
  for (const auto& v : j[key]) {
    if (!v.is_number() || !std::isfinite(v.get<double>())) {
      throw Error(std::string("column scaler: key '") + key + "': expected finite numbers, found " +
                  quote_found(v.dump()));
    }
    out.push_back(v.get<float>());
  }
  return out;
}

}  // namespace

void ColumnScaler::fit(const FeatureMatrix& m) {
  std::vector<uint32_t> rows(static_cast<size_t>(m.rows));
  std::iota(rows.begin(), rows.end(), 0u);
  fit(m, rows);
}

void ColumnScaler::fit(const FeatureMatrix& m, const std::vector<uint32_t>& rows) {
  if (rows.empty()) throw Error("column scaler: expected at least one row to fit on, found none");
  const int64_t cols = m.cols();
  // Two passes in double: one-pass E[x^2] - E[x]^2 cancels badly for columns like year (~2000 +-
  // 10).
  std::vector<double> sum(cols, 0.0), sq(cols, 0.0);
  for (uint32_t r : rows) {
    TOWERREC_CHECK(r < m.rows);
    const float* x = m.row(r);
    for (int64_t c = 0; c < cols; ++c) sum[c] += x[c];
  }
  const double n = static_cast<double>(rows.size());
  for (int64_t c = 0; c < cols; ++c) sum[c] /= n;
  for (uint32_t r : rows) {
    const float* x = m.row(r);
    for (int64_t c = 0; c < cols; ++c) {
      const double d = x[c] - sum[c];
      sq[c] += d * d;
    }
  }
  mean.assign(cols, 0.f);
  scale.assign(cols, 1.f);
  for (int64_t c = 0; c < cols; ++c) {
    mean[c] = static_cast<float>(sum[c]);
    const double sd = std::sqrt(sq[c] / n);
    // A deviation that is only rounding noise of a constant column counts as zero (scale stays 1).
    if (sd > 1e-12 * std::max(1.0, std::fabs(sum[c]))) scale[c] = static_cast<float>(sd);
  }
}

void ColumnScaler::apply(FeatureMatrix& m) const {
  const int64_t cols = m.cols();
  TOWERREC_CHECK(static_cast<size_t>(cols) == mean.size() && mean.size() == scale.size());
  for (int64_t r = 0; r < m.rows; ++r) {
    float* x = m.row(r);
    for (int64_t c = 0; c < cols; ++c) x[c] = (x[c] - mean[c]) / scale[c];
  }
}

FeatureMatrix ColumnScaler::applied(const FeatureMatrix& m) const {
  FeatureMatrix out = m;
  apply(out);
  return out;
}

nlohmann::json ColumnScaler::to_json() const { return {{"mean", mean}, {"scale", scale}}; }

ColumnScaler ColumnScaler::from_json(const nlohmann::json& j) {
  ColumnScaler s;
  s.mean = float_array(j, "mean");
  s.scale = float_array(j, "scale");
  if (s.mean.size() != s.scale.size()) {
    throw Error("column scaler: expected 'mean' and 'scale' of equal length, found " +
                std::to_string(s.mean.size()) + " and " + std::to_string(s.scale.size()));
  }
  for (float v : s.scale) {
    if (!(v > 0)) {
      throw Error("column scaler: key 'scale': expected numbers > 0, found " + std::to_string(v));
    }
  }
  return s;
}

}  // namespace towerrec

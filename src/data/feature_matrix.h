// A dense row-major float matrix with named columns: the hand-off from feature engineering to the
// towers (train/ wraps it with torch::from_blob, no copy).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace towerrec {

struct FeatureMatrix {
  std::vector<std::string> names;  // column names, size cols()
  int64_t rows = 0;
  std::vector<float> data;  // rows * cols(), row-major

  int64_t cols() const { return static_cast<int64_t>(names.size()); }
  float* row(int64_t r) { return data.data() + r * cols(); }
  const float* row(int64_t r) const { return data.data() + r * cols(); }
  void resize(int64_t n_rows) {
    rows = n_rows;
    data.assign(static_cast<size_t>(n_rows * cols()), 0.f);
  }
};

}  // namespace towerrec

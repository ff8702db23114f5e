#include "core/alias_table.h"

#include <cmath>

#include "core/error.h"

namespace towerrec {

AliasTable::AliasTable(const std::vector<double>& weights) {
  const size_t n = weights.size();
  TOWERREC_CHECK(n > 0 && n <= UINT32_MAX);
  double sum = 0;
  for (double w : weights) {
    TOWERREC_CHECK(w >= 0 && std::isfinite(w));
    sum += w;
  }
  TOWERREC_CHECK(sum > 0);
  prob_.resize(n);
  alias_.resize(n);
  std::vector<double> scaled(n);
  std::vector<uint32_t> small, large;
  for (size_t i = 0; i < n; ++i) {
    scaled[i] = weights[i] * static_cast<double>(n) / sum;
    (scaled[i] < 1.0 ? small : large).push_back(static_cast<uint32_t>(i));
  }
  while (!small.empty() && !large.empty()) {
    const uint32_t s = small.back();
    small.pop_back();
    const uint32_t l = large.back();
    prob_[s] = scaled[s];
    alias_[s] = l;
    scaled[l] = (scaled[l] + scaled[s]) - 1.0;
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // Whatever is left is 1 up to rounding error.
  for (uint32_t i : large) prob_[i] = 1.0, alias_[i] = i;
  for (uint32_t i : small) prob_[i] = 1.0, alias_[i] = i;
}

}  // namespace towerrec

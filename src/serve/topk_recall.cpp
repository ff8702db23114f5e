#include "serve/topk_recall.h"

#include <algorithm>

namespace towerrec {

void RecallCount::add(const int64_t* exact_items, const float* exact_scores, int64_t exact_found,
                      const int64_t* approx_items, const float* approx_scores, int64_t approx_found,
                      float tolerance) {
  truth += exact_found;
  if (exact_found <= 0) return;
  const float kth = exact_scores[exact_found - 1];
  int64_t tied = 0;
  for (int64_t j = 0; j < approx_found; ++j) {
    const int64_t item = approx_items[j];
    if (item < 0) continue;
    // Rows are at most K long, so a linear scan beats building a set.
    ids += std::find(exact_items, exact_items + exact_found, item) != exact_items + exact_found;
    tied += approx_scores[j] >= kth - tolerance;
  }
  ties += std::min(tied, exact_found);
}

double RecallCount::by_id() const {
  return truth ? static_cast<double>(ids) / static_cast<double>(truth) : 0.0;
}

double RecallCount::tie_aware() const {
  return truth ? static_cast<double>(ties) / static_cast<double>(truth) : 0.0;
}

}  // namespace towerrec

#include "serve/recall_sample.h"

#include <algorithm>

namespace towerrec {

RecallSample::RecallSample(int64_t users, int64_t recall_users, int64_t k) : k_(k) {
  const int64_t step = recall_users == 0 || recall_users >= users ? 1 : users / recall_users;
  for (int64_t p = 0;
       p < users && (recall_users == 0 || static_cast<int64_t>(positions_.size()) < recall_users);
       p += step)
    positions_.push_back(p);
  items_.assign(positions_.size() * static_cast<size_t>(k), -1);
  scores_.assign(items_.size(), 0.f);
}

void RecallSample::offer(int64_t position, const int64_t* items, const float* scores) {
  if (next_ >= positions_.size() || positions_[next_] != position) return;
  const auto at = static_cast<std::ptrdiff_t>(next_ * static_cast<size_t>(k_));
  std::copy(items, items + k_, items_.begin() + at);
  std::copy(scores, scores + k_, scores_.begin() + at);
  ++next_;
}

void RecallSample::compare(int64_t index, const int64_t* exact_items, const float* exact_scores,
                           int64_t exact_found, RecallCount& recall) const {
  const size_t at = static_cast<size_t>(index * k_);
  recall.add(exact_items, exact_scores, exact_found, items_.data() + at, scores_.data() + at, k_);
}

}  // namespace towerrec

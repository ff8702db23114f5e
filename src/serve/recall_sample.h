// The users of a retrieval (serve/retrieval.h) also scored exactly to measure its recall@K:
// `recall_users` positions evenly spaced over the request (0 = all), and the retrieved top-K rows
// kept for them while the retrieval streams its results out.
#pragma once

#include <cstdint>
#include <vector>

#include "serve/topk_recall.h"

namespace towerrec {

class RecallSample {
 public:
  // `users` requested users, `recall_users` >= 0, `k` >= 1.
  RecallSample(int64_t users, int64_t recall_users, int64_t k);

  // The sampled positions in the request, ascending.
  const std::vector<int64_t>& positions() const { return positions_; }

  // Offered every retrieved row in request order (`position` ascending): keeps the row (k items
  // and scores, -1 padded) when `position` is sampled.
  void offer(int64_t position, const int64_t* items, const float* scores);

  // Adds the exact row of sampled user `index` (a position in positions()) to `recall`.
  void compare(int64_t index, const int64_t* exact_items, const float* exact_scores,
               int64_t exact_found, RecallCount& recall) const;

 private:
  int64_t k_;
  std::vector<int64_t> positions_;
  std::vector<int64_t> items_;  // [positions, k]
  std::vector<float> scores_;
  size_t next_ = 0;
};

}  // namespace towerrec

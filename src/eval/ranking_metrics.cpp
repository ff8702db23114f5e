#include "eval/ranking_metrics.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"

namespace towerrec {

std::vector<int32_t> top_k(const float* scores, const std::vector<int32_t>& candidates, int64_t k) {
  for (int32_t i : candidates) {
    if (std::isnan(scores[i])) {
      throw Error("ranking: expected a score for every candidate item, found NaN for item index " +
                  std::to_string(i));
    }
  }
  std::vector<int32_t> items = candidates;
  const auto better = [scores](int32_t a, int32_t b) {
    return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
  };
  const size_t n = std::min<size_t>(items.size(), static_cast<size_t>(std::max<int64_t>(k, 0)));
  std::partial_sort(items.begin(), items.begin() + n, items.end(), better);
  items.resize(n);
  return items;
}

double recall_at_k(const std::vector<int32_t>& ranked, const std::vector<int32_t>& relevant,
                   int64_t k) {
  if (relevant.empty()) return 0.0;
  int64_t hits = 0;
  for (int64_t p = 0; p < k && p < static_cast<int64_t>(ranked.size()); ++p) {
    hits += std::binary_search(relevant.begin(), relevant.end(), ranked[p]);
  }
  return static_cast<double>(hits) / static_cast<double>(relevant.size());
}

double ndcg_at_k(const std::vector<int32_t>& ranked, const std::vector<int32_t>& relevant,
                 int64_t k) {
  if (relevant.empty()) return 0.0;
  double dcg = 0, idcg = 0;
  for (int64_t p = 0; p < k && p < static_cast<int64_t>(ranked.size()); ++p) {
    if (std::binary_search(relevant.begin(), relevant.end(), ranked[p]))
      dcg += 1.0 / std::log2(p + 2.0);
  }
  for (int64_t p = 0; p < k && p < static_cast<int64_t>(relevant.size()); ++p) {
    idcg += 1.0 / std::log2(p + 2.0);
  }
  return dcg / idcg;
}

}  // namespace towerrec

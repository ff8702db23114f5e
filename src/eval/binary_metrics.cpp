#include "eval/binary_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "core/error.h"

namespace towerrec {
namespace {

void check_sizes(const char* what, size_t a, size_t b) {
  if (a != b)
    throw Error(std::string(what) + ": " + std::to_string(a) + " labels but " + std::to_string(b) +
                " scores");
}

}  // namespace

double auc(const std::vector<float>& labels, const std::vector<float>& scores) {
  check_sizes("auc", labels.size(), scores.size());
  for (float y : labels)
    if (y != 0.f && y != 1.f)
      throw Error("auc: expected labels 0 or 1, found " + std::to_string(y));
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  // Mann-Whitney U: sum of the positives' (average, for ties) ranks.
  double rank_sum = 0, positives = 0;
  for (size_t s = 0; s < order.size();) {
    size_t e = s;
    while (e < order.size() && scores[order[e]] == scores[order[s]]) ++e;
    const double avg_rank = 0.5 * static_cast<double>(s + 1 + e);  // ranks s+1 .. e
    for (size_t k = s; k < e; ++k)
      if (labels[order[k]] == 1.f) {
        rank_sum += avg_rank;
        positives += 1;
      }
    s = e;
  }
  const double negatives = static_cast<double>(labels.size()) - positives;
  if (positives == 0 || negatives == 0) return std::numeric_limits<double>::quiet_NaN();
  return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

double log_loss(const std::vector<float>& labels, const std::vector<float>& probabilities) {
  check_sizes("log_loss", labels.size(), probabilities.size());
  if (labels.empty()) return 0.0;
  constexpr double kEps = 1e-7;
  double acc = 0;
  for (size_t k = 0; k < labels.size(); ++k) {
    const double p = std::clamp(static_cast<double>(probabilities[k]), kEps, 1 - kEps);
    acc -= labels[k] * std::log(p) + (1 - labels[k]) * std::log(1 - p);
  }
  return acc / static_cast<double>(labels.size());
}

}  // namespace towerrec

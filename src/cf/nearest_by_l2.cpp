#include "cf/nearest_by_l2.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace towerrec {

std::vector<std::pair<int32_t, float>> nearest_by_l2(const float* vecs, int64_t n, int64_t d,
                                                     int64_t query, int64_t k) {
  if (query < 0 || query >= n)
    throw Error("nearest_by_l2: expected query in [0, " + std::to_string(n) + "), found " +
                std::to_string(query));
  if (k < 0) throw Error("nearest_by_l2: expected k >= 0, found " + std::to_string(k));
  const float* q = vecs + query * d;
  std::vector<std::pair<int32_t, float>> all;
  all.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    if (i == query) continue;
    const float* x = vecs + i * d;
    float s = 0.f;
    for (int64_t j = 0; j < d; ++j) s += (x[j] - q[j]) * (x[j] - q[j]);
    all.emplace_back(static_cast<int32_t>(i), s);
  }
  const size_t take = std::min(all.size(), static_cast<size_t>(k));
  auto closer = [](const std::pair<int32_t, float>& a, const std::pair<int32_t, float>& b) {
    return a.second != b.second ? a.second < b.second : a.first < b.first;
  };
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(take), all.end(),
                    closer);
  all.resize(take);
  return all;
}

}  // namespace towerrec

#include "cf_test_data.h"

#include <algorithm>
#include <cmath>

#include "core/rng.h"

namespace towerrec::test {

PlantedCf planted_cf(int32_t n_users, int32_t n_items, int32_t f, double density, double noise,
                     double test_fraction, uint64_t seed, const std::vector<int32_t>& empty_users,
                     const std::vector<int32_t>& empty_items) {
  Rng rng(seed);
  PlantedCf p;
  p.n_users = n_users;
  p.n_items = n_items;
  p.f = f;
  auto fill = [&](std::vector<float>& v, size_t n, double scale, double shift) {
    v.resize(n);
    for (auto& x : v) x = static_cast<float>(shift + scale * rng.normal());
  };
  fill(p.W, static_cast<size_t>(n_users) * f, 0.5, 0);
  fill(p.X, static_cast<size_t>(n_items) * f, 0.5, 0);
  fill(p.b, static_cast<size_t>(n_users), 0.3, 0);
  fill(p.mu, static_cast<size_t>(n_items), 0.5, 3.5);
  auto contains = [](const std::vector<int32_t>& v, int32_t x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  for (int32_t u = 0; u < n_users; ++u) {
    if (contains(empty_users, u)) continue;
    for (int32_t i = 0; i < n_items; ++i) {
      if (contains(empty_items, i) || rng.uniform() >= density) continue;
      double y = p.b[u] + p.mu[i] + noise * rng.normal();
      for (int32_t k = 0; k < f; ++k) y += p.W[u * f + k] * p.X[i * f + k];
      (rng.uniform() < test_fraction ? p.test : p.train).push_back(u, i, static_cast<float>(y), 0);
    }
  }
  return p;
}

double rmse(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t k = 0; k < a.size(); ++k) s += (a[k] - b[k]) * (a[k] - b[k]);
  return std::sqrt(s / static_cast<double>(a.size()));
}

}  // namespace towerrec::test

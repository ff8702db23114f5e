// Planted low-rank ratings for the CF tests: y = w_u·x_i + b_u + μ_i (+ noise), a random subset of
// pairs observed. Small enough that every test trains in well under a second.
#pragma once

#include <cstdint>
#include <vector>

#include "data/dataset.h"

namespace towerrec::test {

struct PlantedCf {
  int32_t n_users = 0, n_items = 0, f = 0;
  std::vector<float> W, b, X, mu;  // row-major, as in CfModel
  Ratings train, test;
};

// Observes each pair with probability `density`; a fraction `test_fraction` of the observed pairs
// goes to test. Users/items listed in `empty_users`/`empty_items` get no ratings at all.
PlantedCf planted_cf(int32_t n_users, int32_t n_items, int32_t f, double density, double noise,
                     double test_fraction, uint64_t seed,
                     const std::vector<int32_t>& empty_users = {},
                     const std::vector<int32_t>& empty_items = {});

// Root mean squared difference of two equally long vectors.
double rmse(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace towerrec::test

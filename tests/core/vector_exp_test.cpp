#include "core/vector_exp.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "core/rng.h"

TEST_CASE("vector exp: within 3 ulp of exp in double at every length and tail", "[core][simd]") {
  towerrec::Rng rng(5);
  for (int64_t n = 0; n <= 41; ++n) {
    std::vector<float> x(static_cast<size_t>(n) + 1, 7.f);  // one guard value past the end
    for (int64_t j = 0; j < n; ++j)
      x[static_cast<size_t>(j)] = static_cast<float>(-80 * rng.uniform() + 5);
    const std::vector<float> in = x;
    towerrec::exp_inplace(x.data(), n);
    for (int64_t j = 0; j < n; ++j) {
      const double want = std::exp(static_cast<double>(in[static_cast<size_t>(j)]));
      const float wf = static_cast<float>(want);
      const double ulp = std::nextafter(wf, std::numeric_limits<float>::infinity()) - wf;
      CHECK(std::fabs(x[static_cast<size_t>(j)] - want) <= 3 * ulp);
    }
    CHECK(x[static_cast<size_t>(n)] == 7.f);
  }
  std::vector<float> edge = {0.f, -std::numeric_limits<float>::infinity(), -200.f, 1.f};
  towerrec::exp_inplace(edge.data(), static_cast<int64_t>(edge.size()));
  CHECK(edge[0] == 1.f);
  CHECK(edge[1] == 0.f);
  CHECK(edge[2] == 0.f);
  CHECK(edge[3] == Approx(std::exp(1.0)).epsilon(1e-6));
}

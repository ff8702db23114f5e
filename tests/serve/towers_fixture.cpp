#include "towers_fixture.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/rng.h"

namespace towerrec::test {
namespace {

FeatureMatrix raw_matrix(const std::string& side, int64_t cols, int64_t rows, Rng& rng) {
  FeatureMatrix m;
  for (int64_t c = 0; c < cols; ++c) m.names.push_back(side + ".f" + std::to_string(c));
  m.resize(rows);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      // Column c: mean 100 c, spread 1 + 10 c; the last column is constant.
      m.row(r)[c] = c + 1 == cols ? 3.5f
                                  : static_cast<float>(100.0 * c + (1.0 + 10.0 * c) * rng.normal());
    }
  }
  return m;
}

ModelOptions fixture_options() {
  ModelOptions o;
  o.user_hidden = {16, 8};
  o.item_hidden = {12};
  o.dim = 6;
  return o;
}

}  // namespace

TowersFixture make_towers_fixture(int64_t rows, uint64_t seed) {
  Rng rng(seed);
  Features f;
  f.user_raw = raw_matrix("user", 5, rows, rng);
  f.item_raw = raw_matrix("item", 7, rows, rng);
  f.user_scaler.fit(f.user_raw);
  f.item_scaler.fit(f.item_raw);
  f.user = f.user_scaler.applied(f.user_raw);
  f.item = f.item_scaler.applied(f.item_raw);
  f.target.min = 1.0;
  f.target.max = 5.0;
  f.global_mean = 3.25;
  f.imputed["item.year"] = 1995.0;
  nlohmann::json stats = f.stats_json();
  TwoTowerModel model(5, 7, fixture_options(), seed);
  return TowersFixture{std::move(model), std::move(f), std::move(stats)};
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return std::numeric_limits<double>::infinity();
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = std::fabs(static_cast<double>(a[i]) - b[i]);
    if (std::isnan(d)) return std::numeric_limits<double>::infinity();
    m = std::max(m, d);
  }
  return m;
}

}  // namespace towerrec::test

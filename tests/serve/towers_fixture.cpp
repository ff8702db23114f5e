#include "towers_fixture.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/rng.h"
#include "model/two_tower_impl.h"

namespace towerrec::test {
namespace {

FeatureMatrix raw_matrix(const std::string& side, int64_t cols, int64_t rows, Rng& rng) {
  FeatureMatrix m;
  for (int64_t c = 0; c < cols; ++c) m.names.push_back(side + ".f" + std::to_string(c));
  m.resize(rows);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      // Column c: mean 100 c, spread 1 + 10 c; the last column is constant.
      m.row(r)[c] =
          c + 1 == cols ? 3.5f : static_cast<float>(100.0 * c + (1.0 + 10.0 * c) * rng.normal());
    }
  }
  return m;
}

ModelOptions fixture_options() {
  ModelOptions model;
  model.user_hidden = {16, 8};
  model.item_hidden = {12};
  model.dim = 6;
  return model;
}

}  // namespace

TowersFixture make_towers_fixture(int64_t rows, uint64_t seed, bool bags) {
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
  ModelOptions opts = fixture_options();
  if (bags) {
    opts.rating_head = RatingHeadKind::kLinear;
    f.watched_ids = {101, 102, 103, 104, 105, 106, 107, 108, 109};
    f.item_id_ids = {201, 202, 203, 204};
    for (auto [bag, cols] : {std::make_pair(&f.user_bag, 9), std::make_pair(&f.item_bag, 4)}) {
      bag->rows = rows;
      bag->cols = cols;
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t n = static_cast<int64_t>(rng.below(cols == 9 ? 5 : 2));
        for (int64_t e = 0; e < n; ++e) {
          bag->index.push_back(static_cast<int32_t>((r + 3 * e) % cols));
          bag->value.push_back(static_cast<float>(1.0 / std::sqrt(static_cast<double>(n))));
        }
        bag->offsets.push_back(bag->nnz());
      }
    }
  }
  nlohmann::json stats = f.stats_json();
  TwoTowerModel model(5, 7, opts, seed, bags ? 9 : 0, bags ? 4 : 0);
  if (bags) {
    // A head that is not the identity, so towers.json's copy of it is checked.
    auto& impl = model.impl();
    impl.head_scale.fill_(1.5f);
    impl.head_bias.fill_(-0.25f);
    impl.head_user.fill_(0.1f);
    impl.head_item.fill_(-0.2f);
  }
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

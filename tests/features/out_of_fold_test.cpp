#include "features/out_of_fold.h"

#include <algorithm>
#include <cmath>

#include <catch2/catch.hpp>

#include "core/error.h"
#include "data/dataset.h"
#include "features/features.h"
#include "features/item_features.h"
#include "features/rating_stats.h"
#include "features/toy_dataset.h"
#include "features/user_features.h"

using namespace towerrec;
using towerrec::test::toy_dataset;
using towerrec::test::toy_options;
using towerrec::test::toy_train;

namespace {

// Row r of block `fold`, mapped back to raw units with the scaler that scaled it.
std::vector<double> unscaled(const FeatureMatrix& m, const ColumnScaler& s, int64_t r) {
  std::vector<double> out;
  for (int64_t c = 0; c < m.cols(); ++c) out.push_back(m.row(r)[c] * s.scale[c] + s.mean[c]);
  return out;
}

void check_close(const std::vector<double>& a, const std::vector<double>& b) {
  REQUIRE(a.size() == b.size());
  for (size_t c = 0; c < a.size(); ++c) CHECK(a[c] == Approx(b[c]).margin(1e-4));
}

}  // namespace

TEST_CASE("out-of-fold: each block is the features of the other folds, scaled like the full split",
          "[features]") {
  const Dataset d = toy_dataset();
  const Features full = build_features(d, toy_train(), toy_options());
  const OutOfFoldFeatures oof = build_out_of_fold(d, toy_train(), full, toy_options(), 2, 42);
  REQUIRE(oof.folds == 2);
  REQUIRE(oof.fold.size() == toy_train().size());
  REQUIRE(oof.user.rows == 2 * d.num_users());
  REQUIRE(oof.item.rows == 2 * d.num_items());
  CHECK(oof.user.names == full.user.names);
  // Fold sizes differ by at most one (5 training rows: 3 and 2).
  const auto in0 = std::count(oof.fold.begin(), oof.fold.end(), 0);
  CHECK(std::abs(static_cast<long>(in0) - static_cast<long>(oof.fold.size() - in0)) <= 1);

  for (int64_t k = 0; k < 2; ++k) {
    std::vector<uint32_t> rest;
    for (size_t i = 0; i < toy_train().size(); ++i)
      if (oof.fold[i] != k) rest.push_back(toy_train()[i]);
    const RatingStats stats = RatingStats::from_rows(d, rest);
    FeatureMatrix u = build_user_features(d, stats, toy_options());
    FeatureMatrix it = build_item_features(d, stats, toy_options());
    full.user_scaler.apply(u);
    full.item_scaler.apply(it);
    for (int32_t x = 0; x < d.num_users(); ++x)
      for (int64_t c = 0; c < u.cols(); ++c)
        CHECK(oof.user.row(oof.user_row(x, k))[c] == Approx(u.row(x)[c]).margin(1e-6));
    for (int32_t x = 0; x < d.num_items(); ++x)
      for (int64_t c = 0; c < it.cols(); ++c)
        CHECK(oof.item.row(oof.item_row(x, k))[c] == Approx(it.row(x)[c]).margin(1e-6));
  }
}

TEST_CASE("out-of-fold: a training rating never reaches the features its own row sees",
          "[features]") {
  const Dataset base = toy_dataset();
  const Features f0 = build_features(base, toy_train(), toy_options());
  const OutOfFoldFeatures o0 = build_out_of_fold(base, toy_train(), f0, toy_options(), 3, 7);
  for (size_t i = 0; i < toy_train().size(); ++i) {
    const uint32_t r = toy_train()[i];
    const int64_t k = o0.fold[i];
    const int32_t u = base.ratings.user[r];
    const int32_t it = base.ratings.item[r];
    INFO("training row " << r << " (fold " << k << ")");
    Dataset d = toy_dataset();
    d.ratings.value[r] = d.ratings.value[r] > 3 ? 0.5f : 5.f;
    const Features f1 = build_features(d, toy_train(), toy_options());
    const OutOfFoldFeatures o1 = build_out_of_fold(d, toy_train(), f1, toy_options(), 3, 7);
    REQUIRE(o1.fold == o0.fold);  // the deal depends on the seed and the row count only
    // The row's own block is unchanged in raw units (the full scalers do move)...
    check_close(unscaled(o1.user, f1.user_scaler, o1.user_row(u, k)),
                unscaled(o0.user, f0.user_scaler, o0.user_row(u, k)));
    check_close(unscaled(o1.item, f1.item_scaler, o1.item_row(it, k)),
                unscaled(o0.item, f0.item_scaler, o0.item_row(it, k)));
    // ...while the full features, which contain the rating, change (the check is not vacuous).
    CHECK(unscaled(f1.user, f1.user_scaler, u) != unscaled(f0.user, f0.user_scaler, u));
  }
}

TEST_CASE("out-of-fold: same seed, same deal, and bad fold counts are errors", "[features]") {
  const Dataset d = toy_dataset();
  const Features full = build_features(d, toy_train(), toy_options());
  const auto a = build_out_of_fold(d, toy_train(), full, toy_options(), 2, 5);
  const auto b = build_out_of_fold(d, toy_train(), full, toy_options(), 2, 5);
  CHECK(a.fold == b.fold);
  CHECK(a.user.data == b.user.data);
  CHECK_THROWS_WITH(build_out_of_fold(d, toy_train(), full, toy_options(), 1, 5),
                    "features.out_of_fold: expected 0 (off) or 2..255 folds, found 1");
  CHECK_THROWS_WITH(build_out_of_fold(d, {}, full, toy_options(), 2, 5),
                    "out-of-fold features: the training split is empty");
}

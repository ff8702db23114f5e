#include "eval/rating_metrics.h"

#include <cmath>

#include <catch2/catch.hpp>

#include "core/error.h"
#include "data/dataset.h"

using namespace towerrec;

TEST_CASE("rating metrics: RMSE and MAE by hand", "[eval]") {
  // errors -1, 0, -2: RMSE sqrt(5/3), MAE 1
  const RatingMetrics m = rating_metrics({1, 2, 3}, {2, 2, 5});
  CHECK(m.rmse == Approx(std::sqrt(5.0 / 3)));
  CHECK(m.mae == Approx(1.0));
  CHECK(m.count == 3);
  CHECK(rating_metrics({4.5f}, {4.5f}).rmse == 0);
}

TEST_CASE("rating metrics: rows of a dataset", "[eval]") {
  Dataset d;
  d.users.add(1);
  d.items.add(1);
  d.items.add(2);
  d.ratings.push_back(0, 0, 5, 0);
  d.ratings.push_back(0, 1, 1, 0);
  const RatingMetrics m = rating_metrics(d, {1}, {2.5f});
  CHECK(m.rmse == Approx(1.5));
  CHECK(m.mae == Approx(1.5));
}

TEST_CASE("rating metrics: mismatched sizes, empty input and NaN are errors", "[eval]") {
  CHECK_THROWS_WITH(rating_metrics({1, 2}, {1}),
                    "rating metrics: expected one prediction per rating (1), found 2");
  CHECK_THROWS_WITH(rating_metrics({}, {}),
                    "rating metrics: expected at least one rating, found none");
  CHECK_THROWS_AS(rating_metrics({NAN}, {1}), Error);
}

// Lab mode of feature engineering (build_lab_features), on a hand-made ContentLab.
#include <cmath>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "data/content_lab.h"
#include "features/features.h"

using namespace towerrec;

namespace {

// 4 training rows; user columns: id, count, ave, g1, g2; item columns: id, year, ave, g1, g2.
ContentLab tiny_lab() {
  ContentLab lab;
  lab.user_train.names = {"user id", "rating count", "rating ave", "Action", "Comedy"};
  lab.user_train.rows = 4;
  lab.user_train.data = {1, 3, 4.0, 4.0, 0.0,   //
                         1, 3, 4.0, 4.0, 0.0,   //
                         2, 5, 3.0, 2.0, 3.5,   //
                         3, 9, 2.0, 1.0, 100};  // row 3 is "test": must not influence the scalers
  lab.item_train.names = {"movie id", "year", "ave rating", "Action", "Comedy"};
  lab.item_train.rows = 4;
  lab.item_train.data = {10, 2000, 3.0, 1, 0,  //
                         11, 2004, 4.0, 0, 1,  //
                         10, 2000, 3.0, 1, 0,  //
                         12, 1900, 0.5, 1, 1};
  lab.y_train = {4, 3.5, 2, 0.5};
  lab.item_vecs.names = lab.item_train.names;
  lab.item_vecs.rows = 1;
  lab.item_vecs.data = {11, 2004, 4.0, 0, 1};
  return lab;
}

}  // namespace

TEST_CASE("lab features: columns from the lab's first feature, scaled on the train rows",
          "[features]") {
  const ContentLab lab = tiny_lab();
  const Features f = build_lab_features(lab, {0, 1, 2});
  CHECK(f.user_raw.names == std::vector<std::string>{"Action", "Comedy"});
  CHECK(f.item_raw.names == std::vector<std::string>{"year", "ave rating", "Action", "Comedy"});
  REQUIRE(f.user_raw.rows == 4);  // every row, test rows included: row r is row r of the lab
  CHECK(f.user_raw.row(3)[1] == 100.f);
  // user Action over rows 0..2: 4, 4, 2 -> mean 10/3, population sd sqrt(8/9).
  CHECK(f.user_scaler.mean[0] == Approx(10.0 / 3));
  CHECK(f.user_scaler.scale[0] == Approx(std::sqrt(8.0 / 9)));
  CHECK(f.user.row(2)[0] == Approx((2 - 10.0 / 3) / std::sqrt(8.0 / 9)));
  // item year over rows 0..2: 2000, 2004, 2000 -> mean 2001.333, sd sqrt(32/9).
  CHECK(f.item_scaler.mean[0] == Approx(6004.0 / 3));
  CHECK(f.item_scaler.scale[0] == Approx(std::sqrt(32.0 / 9)));
  // Target: y over the train rows (the test 0.5 does not count).
  CHECK(f.target.min == 2);
  CHECK(f.target.max == 4);
  CHECK(f.global_mean == Approx(9.5 / 3));

  const FeatureMatrix cat = lab_item_catalogue(lab, f);
  REQUIRE(cat.rows == 1);
  CHECK(cat.names == f.item_raw.names);
  for (int c = 0; c < cat.cols(); ++c) CHECK(cat.row(0)[c] == Approx(f.item.row(1)[c]));
}

TEST_CASE("lab features: the test rows change no statistic", "[features]") {
  ContentLab a = tiny_lab(), b = tiny_lab();
  b.user_train.row(3)[4] = -7;
  b.item_train.row(3)[1] = 2100;
  b.y_train[3] = 5;
  const Features fa = build_lab_features(a, {0, 1, 2}), fb = build_lab_features(b, {0, 1, 2});
  CHECK(fa.user_scaler.mean == fb.user_scaler.mean);
  CHECK(fa.user_scaler.scale == fb.user_scaler.scale);
  CHECK(fa.item_scaler.mean == fb.item_scaler.mean);
  CHECK(fa.item_scaler.scale == fb.item_scaler.scale);
  CHECK(fa.stats_json() == fb.stats_json());
}

TEST_CASE("lab features: mismatched rows and bad train rows are errors", "[features]") {
  ContentLab lab = tiny_lab();
  CHECK_THROWS_WITH(build_lab_features(lab, {0, 4}),
                    "training split: expected row indices < 4 (lab training rows), found 4");
  CHECK_THROWS_WITH(build_lab_features(lab, {}),
                    "training split: expected at least one training rating, found none");
  lab.y_train.pop_back();
  CHECK_THROWS_WITH(
      build_lab_features(lab, {0}),
      "content lab: expected user_train, item_train and y_train with equal rows, found "
      "4, 4 and 3");
}

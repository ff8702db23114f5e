#include "features/features.h"

#include <cmath>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "features/toy_dataset.h"

using namespace towerrec;
using towerrec::test::toy_dataset;
using towerrec::test::toy_options;
using towerrec::test::toy_test;
using towerrec::test::toy_train;

namespace {

std::vector<float> row_of(const FeatureMatrix& m, int64_t r) {
  return std::vector<float>(m.row(r), m.row(r) + m.cols());
}

void check_row(const FeatureMatrix& m, int64_t r, const std::vector<double>& expected) {
  INFO("row " << r);
  const std::vector<float> got = row_of(m, r);
  REQUIRE(got.size() == expected.size());
  for (size_t c = 0; c < got.size(); ++c) {
    INFO("column " << m.names[c]);
    CHECK(got[c] == Approx(expected[c]).margin(1e-5));
  }
}

}  // namespace

TEST_CASE("features: item columns and values on the toy dataset", "[features]") {
  const Features f = build_features(toy_dataset(), toy_train(), toy_options());
  CHECK(f.item_raw.names == std::vector<std::string>{"item.year", "item.year_missing",
                                                     "item.genre.Action", "item.genre.Comedy",
                                                     "item.genre.Drama", "item.avg_rating",
                                                     "item.log_count"});
  REQUIRE(f.item_raw.rows == 4);
  // Mean training rating 18 / 5 = 3.6. Shrunk averages (sum + 2 * 3.6) / (count + 2). The unknown
  // year of i1 is the mean known year of the items rated in training: (2000 + 2010) / 2.
  check_row(f.item_raw, 0, {2000, 0, 1, 0, 0, (9 + 7.2) / 4, std::log1p(2.0)});
  check_row(f.item_raw, 1, {2005, 1, 0, 1, 0, (7 + 7.2) / 4, std::log1p(2.0)});
  check_row(f.item_raw, 2, {2010, 0, 1, 1, 0, (2 + 7.2) / 3, std::log1p(1.0)});
  // Cold item: its own year, count 0, average = global mean.
  check_row(f.item_raw, 3, {1990, 0, 0, 0, 1, 3.6, 0});
  CHECK(f.global_mean == Approx(3.6));
  CHECK(f.imputed.at("item.year") == Approx(2005));
}

TEST_CASE("features: user columns, genre fallbacks and demographics", "[features]") {
  const Features f = build_features(toy_dataset(), toy_train(), toy_options());
  CHECK(f.user_raw.names ==
        std::vector<std::string>{"user.log_count", "user.avg_rating", "user.genre_avg.Action",
                                 "user.genre_avg.Comedy", "user.genre_avg.Drama",
                                 "user.genre_log_count.Action", "user.genre_log_count.Comedy",
                                 "user.genre_log_count.Drama", "user.age", "user.age_missing",
                                 "user.gender=M", "user.gender=F", "user.gender=X"});
  REQUIRE(f.user_raw.rows == 3);
  // u0 rated i0 (Action) 4 and i1 (Comedy) 2; no Drama -> own average 3. Age 20, gender M.
  check_row(f.user_raw, 0,
            {std::log1p(2.0), 3, 4, 2, 3, std::log1p(1.0), std::log1p(1.0), 0, 20, 0, 1, 0, 0});
  // u1 rated i0 (Action) 5, i2 (Action+Comedy) 2, i1 (Comedy) 5; age missing -> mean age of the
  // training users that have one (only u0: 20).
  check_row(f.user_raw, 1,
            {std::log1p(3.0), 4, 3.5, 3.5, 4, std::log1p(2.0), std::log1p(2.0), 0, 20, 1, 0, 1, 0});
  // u2 is cold: global mean everywhere, zero counts; its category X is still a column.
  check_row(f.user_raw, 2, {0, 3.6, 3.6, 3.6, 3.6, 0, 0, 0, 40, 0, 0, 0, 1});
  CHECK(f.imputed.at("user.age") == Approx(20));
}

TEST_CASE("features: options drop genre counts and demographics", "[features]") {
  FeatureOptions opts = toy_options();
  opts.genre_counts = false;
  opts.demographics = false;
  Features f = build_features(toy_dataset(), toy_train(), opts);
  CHECK(f.user_raw.names ==
        std::vector<std::string>{"user.log_count", "user.avg_rating", "user.genre_avg.Action",
                                 "user.genre_avg.Comedy", "user.genre_avg.Drama"});
  opts = toy_options();
  opts.max_categories = 2;  // gender has 3 categories: left out
  f = build_features(toy_dataset(), toy_train(), opts);
  CHECK(f.user_raw.names.back() == "user.age_missing");
}

TEST_CASE("features: scalers fit on the entities rated in training", "[features]") {
  const Features f = build_features(toy_dataset(), toy_train(), toy_options());
  // Users u0, u1. user.avg_rating: 3 and 4 -> mean 3.5, population sd 0.5.
  CHECK(f.user_scaler.mean[1] == Approx(3.5));
  CHECK(f.user_scaler.scale[1] == Approx(0.5));
  CHECK(f.user.row(2)[1] == Approx((3.6 - 3.5) / 0.5));
  // user.age is 20 for both training users: constant -> scale 1, the cold user's 40 maps to 20.
  CHECK(f.user_scaler.mean[8] == Approx(20));
  CHECK(f.user_scaler.scale[8] == 1.f);
  CHECK(f.user.row(2)[8] == Approx(20));
  // Items i0..i2. item.year: 2000, 2005, 2010 -> mean 2005, sd sqrt(50 / 3).
  CHECK(f.item_scaler.mean[0] == Approx(2005));
  CHECK(f.item_scaler.scale[0] == Approx(std::sqrt(50.0 / 3)));
  CHECK(f.item.row(3)[0] == Approx((1990 - 2005) / std::sqrt(50.0 / 3)));
  // Drama column is 0 on the three training items: constant, scale 1; the cold i3 gets 1.
  CHECK(f.item_scaler.scale[4] == 1.f);
  CHECK(f.item.row(3)[4] == Approx(1));
  // Target: training ratings span [2, 5] (the test 1 does not count).
  CHECK(f.target.min == 2);
  CHECK(f.target.max == 5);
  CHECK(f.target.scale(2) == Approx(-1));
  CHECK(f.target.scale(5) == Approx(1));
  CHECK(f.target.unscale(0) == Approx(3.5));
}

TEST_CASE("features: no leakage from test ratings", "[features]") {
  const Dataset base = toy_dataset();
  const Features f0 = build_features(base, toy_train(), toy_options());
  for (float changed : {0.5f, 3.f, 5.f}) {
    Dataset d = toy_dataset();
    for (uint32_t r : toy_test()) d.ratings.value[r] = changed;
    const Features f1 = build_features(d, toy_train(), toy_options());
    CHECK(f1.user_raw.data == f0.user_raw.data);
    CHECK(f1.item_raw.data == f0.item_raw.data);
    CHECK(f1.user.data == f0.user.data);
    CHECK(f1.item.data == f0.item.data);
    CHECK(f1.user_scaler.mean == f0.user_scaler.mean);
    CHECK(f1.user_scaler.scale == f0.user_scaler.scale);
    CHECK(f1.item_scaler.mean == f0.item_scaler.mean);
    CHECK(f1.item_scaler.scale == f0.item_scaler.scale);
    CHECK(f1.target.min == f0.target.min);
    CHECK(f1.target.max == f0.target.max);
    CHECK(f1.stats_json() == f0.stats_json());
  }
  // The other way round, a training rating does move them (the test above is not vacuous).
  Dataset d = toy_dataset();
  d.ratings.value[0] = 1;
  const Features f2 = build_features(d, toy_train(), toy_options());
  CHECK(f2.user_raw.data != f0.user_raw.data);
  CHECK(f2.target.min == 1);
}

TEST_CASE("features: stats_json holds names, scalers and the target scale", "[features]") {
  const Features f = build_features(toy_dataset(), toy_train(), toy_options());
  const nlohmann::json j = f.stats_json();
  CHECK(j["version"] == 1);
  CHECK(j["user"]["names"].get<std::vector<std::string>>() == f.user_raw.names);
  CHECK(j["item"]["names"].get<std::vector<std::string>>() == f.item_raw.names);
  CHECK(ColumnScaler::from_json(j["item"]).mean == f.item_scaler.mean);
  CHECK(ColumnScaler::from_json(j["user"]).scale == f.user_scaler.scale);
  CHECK(TargetScaler::from_json(j["target"]).max == 5);
  CHECK(j["global_mean"].get<double>() == Approx(3.6));
  CHECK(j["imputed"]["item.year"].get<double>() == Approx(2005));
}

TEST_CASE("features: data without metadata or a degenerate rating range", "[features]") {
  Dataset d;
  for (int64_t u : {1, 2}) d.users.add(u);
  for (int64_t i : {1, 2, 3}) d.items.add(i);
  d.ratings.push_back(0, 0, 1, 0);
  d.ratings.push_back(1, 1, 1, 0);
  const Features f = build_features(d, {0, 1}, FeatureOptions{});
  CHECK(f.item_raw.names == std::vector<std::string>{"item.avg_rating", "item.log_count"});
  CHECK(f.user_raw.names == std::vector<std::string>{"user.log_count", "user.avg_rating"});
  CHECK(f.target.min == 1);
  CHECK(f.target.max == 2);  // widened so scale() never divides by zero
  CHECK_THROWS_WITH(build_features(d, {}, FeatureOptions{}),
                    "training split: expected at least one training rating, found none");
  CHECK_THROWS_WITH(build_features(d, {0, 7}, FeatureOptions{}),
                    "training split: expected row indices < 2 (ratings in the dataset), found 7");
}

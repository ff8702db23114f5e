#include "features/current_features.h"

#include <cmath>
#include <numeric>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "data/dataset.h"
#include "features/fitted_features.h"
#include "features/toy_dataset.h"

using namespace towerrec;
using towerrec::test::toy_dataset;
using towerrec::test::toy_options;
using towerrec::test::toy_train;

namespace {

std::vector<uint32_t> every_row(const Dataset& d) {
  std::vector<uint32_t> rows(d.ratings.size());
  std::iota(rows.begin(), rows.end(), 0u);
  return rows;
}

float at(const FeatureMatrix& m, int64_t row, const std::string& name) {
  for (size_t c = 0; c < m.names.size(); ++c)
    if (m.names[c] == name) return m.row(row)[c];
  FAIL("no column " << name);
  return 0;
}

FeatureOptions bag_options() {
  FeatureOptions o = toy_options();
  o.watched_items = 3;
  o.item_ids = 2;
  return o;
}

// The toy data as it is "today": genres stored in another order plus a genre the run never saw
// (Anime), item 14 (new: Comedy + Anime, year unknown), user 103 (new, no ratings, gender Y the run
// never saw, age 30) and user 104 (new, rated items 14 and 10).
Dataset today() {
  Dataset d = toy_dataset();
  // Bits: Drama 0, Action 1, Comedy 2, Anime 3 (the run had Action 0, Comedy 1, Drama 2).
  d.item_meta.genre_names = {"Drama", "Action", "Comedy", "Anime"};
  d.item_meta.genres = {2, 4, 6, 1};
  d.items.add(14);
  d.item_meta.title.push_back("e");
  d.item_meta.year.push_back(0);
  d.item_meta.genres.push_back(4 | 8);
  d.users.add(103);
  d.users.add(104);
  d.user_meta.columns[0].numeric.push_back(30.f);
  d.user_meta.columns[0].numeric.push_back(NAN);
  d.user_meta.columns[1].categories.push_back("Y");
  d.user_meta.columns[1].code.push_back(3);
  d.user_meta.columns[1].code.push_back(1);
  d.ratings.push_back(4, 4, 4.f, 2000);
  d.ratings.push_back(4, 0, 3.f, 2001);
  return d;
}

}  // namespace

TEST_CASE("current features: the run's own data gives build_features' features exactly",
          "[features]") {
  const Dataset d = toy_dataset();
  const FeatureOptions o = bag_options();
  const Features f = build_features(d, every_row(d), o);
  const FittedFeatures fit = FittedFeatures::from_json(f.stats_json(), "features.json");
  const CurrentFeatures c = build_current_features(d, fit, o);
  CHECK(c.warning().empty());
  CHECK(c.features.user_raw.names == f.user_raw.names);
  CHECK(c.features.item_raw.names == f.item_raw.names);
  CHECK(c.features.user_raw.data == f.user_raw.data);
  CHECK(c.features.item_raw.data == f.item_raw.data);
  CHECK(c.features.user.data == f.user.data);
  CHECK(c.features.item.data == f.item.data);
  CHECK(c.features.user_bag.offsets == f.user_bag.offsets);
  CHECK(c.features.user_bag.index == f.user_bag.index);
  CHECK(c.features.user_bag.value == f.user_bag.value);
  CHECK(c.features.item_bag.offsets == f.item_bag.offsets);
  CHECK(c.features.item_bag.index == f.item_bag.index);
  CHECK(c.features.watched_ids == f.watched_ids);
  CHECK(c.features.item_id_ids == f.item_id_ids);
}

TEST_CASE("current features: new users and items in the run's columns, unknown values ignored",
          "[features]") {
  const FeatureOptions o = bag_options();
  const Features run = build_features(toy_dataset(), toy_train(), o);
  const FittedFeatures fit = FittedFeatures::from_json(run.stats_json(), "features.json");
  const Dataset d = today();
  const CurrentFeatures c = build_current_features(d, fit, o);
  const Features& f = c.features;
  REQUIRE(f.user_raw.names == run.user_raw.names);  // no column added, none shifted
  REQUIRE(f.item_raw.names == run.item_raw.names);
  REQUIRE(f.user_raw.rows == 5);
  REQUIRE(f.item_raw.rows == 5);
  CHECK(c.warning() ==
        "1 genre the run did not know (ignored): Anime (1 item); 1 demographic category the run "
        "did not know (ignored): gender=Y (1 user)");

  // Genres matched by name although today's bits are in another order.
  CHECK(at(f.item_raw, 0, "item.genre.Action") == 1.f);
  CHECK(at(f.item_raw, 0, "item.genre.Drama") == 0.f);
  CHECK(at(f.item_raw, 3, "item.genre.Drama") == 1.f);
  // The new item: Comedy, the run's imputed year, no ratings counted... one (user 104's).
  CHECK(at(f.item_raw, 4, "item.genre.Comedy") == 1.f);
  CHECK(at(f.item_raw, 4, "item.genre.Action") == 0.f);
  CHECK(at(f.item_raw, 4, "item.year") == Approx(fit.imputed.at("item.year")));
  CHECK(at(f.item_raw, 4, "item.year_missing") == 1.f);
  CHECK(at(f.item_raw, 4, "item.log_count") == Approx(std::log1p(1.0)));
  // Shrunk toward the RUN's global mean (k = 2): (4 + 2 g) / 3.
  CHECK(at(f.item_raw, 4, "item.avg_rating") == Approx((4 + 2 * fit.global_mean) / 3));

  // The new user without ratings gets the cold-start row; the unknown gender sets no column.
  CHECK(at(f.user_raw, 3, "user.log_count") == 0.f);
  CHECK(at(f.user_raw, 3, "user.avg_rating") == Approx(fit.global_mean));
  CHECK(at(f.user_raw, 3, "user.genre_avg.Drama") == Approx(fit.global_mean));
  for (const char* g : {"user.gender=M", "user.gender=F", "user.gender=X"})
    CHECK(at(f.user_raw, 3, g) == 0.f);
  CHECK(at(f.user_raw, 3, "user.age") == 30.f);
  // The rated new user: features from today's ratings; a missing age takes the run's imputation.
  CHECK(at(f.user_raw, 4, "user.log_count") == Approx(std::log1p(2.0)));
  CHECK(at(f.user_raw, 4, "user.avg_rating") == Approx(3.5));
  CHECK(at(f.user_raw, 4, "user.genre_avg.Comedy") == Approx(4.0));
  CHECK(at(f.user_raw, 4, "user.genre_avg.Action") == Approx(3.0));
  CHECK(at(f.user_raw, 4, "user.genre_avg.Drama") == Approx(3.5));  // none: their own average
  CHECK(at(f.user_raw, 4, "user.gender=F") == 1.f);
  CHECK(at(f.user_raw, 4, "user.age") == Approx(fit.imputed.at("user.age")));
  // A known user's features count today's ratings (user 100: rows 0, 1, 4).
  CHECK(at(f.user_raw, 0, "user.log_count") == Approx(std::log1p(3.0)));

  // Scaled with the run's scalers.
  for (int64_t r = 0; r < f.user.rows; ++r)
    for (int64_t col = 0; col < f.user.cols(); ++col)
      CHECK(f.user.row(r)[col] == Approx((f.user_raw.row(r)[col] - fit.user_scaler.mean[col]) /
                                         fit.user_scaler.scale[col])
                                      .margin(1e-5));

  // Bags over the run's vocabularies: positions keep their items; the new item has no id entry.
  REQUIRE(f.user_bag.cols == run.user_bag.cols);
  REQUIRE(f.item_bag.cols == run.item_bag.cols);
  CHECK(f.item_bag.end(4) == f.item_bag.begin(4));
  for (int32_t i = 0; i < 4; ++i) {
    REQUIRE(f.item_bag.end(i) - f.item_bag.begin(i) == run.item_bag.end(i) - run.item_bag.begin(i));
    if (f.item_bag.end(i) > f.item_bag.begin(i))
      CHECK(f.item_bag.index[f.item_bag.begin(i)] == run.item_bag.index[run.item_bag.begin(i)]);
  }
  // User 104 rated item 10, which is in the run's watched vocabulary.
  const int32_t pos10 = [&] {
    for (size_t p = 0; p < fit.watched_ids.size(); ++p)
      if (fit.watched_ids[p] == 10) return static_cast<int32_t>(p);
    return -1;
  }();
  REQUIRE(pos10 >= 0);
  REQUIRE(f.user_bag.end(4) - f.user_bag.begin(4) == 1);
  CHECK(f.user_bag.index[f.user_bag.begin(4)] == pos10);
  CHECK(f.user_bag.value[f.user_bag.begin(4)] == 1.f);
}

TEST_CASE("current features: data without ratings is refused", "[features]") {
  const Features run = build_features(toy_dataset(), toy_train(), toy_options());
  const FittedFeatures fit = FittedFeatures::from_json(run.stats_json(), "features.json");
  Dataset d = toy_dataset();
  d.source = "/data/today";
  d.ratings = Ratings();
  CHECK_THROWS_WITH(build_current_features(d, fit, toy_options()),
                    "/data/today: no ratings; features need at least one");
}

TEST_CASE("fitted features: malformed features.json names the key", "[features]") {
  const Features run = build_features(toy_dataset(), toy_train(), toy_options());
  nlohmann::json j = run.stats_json();
  CHECK(FittedFeatures::from_json(j, "f.json").user_names == run.user_raw.names);
  j.erase("user");
  CHECK_THROWS_WITH(FittedFeatures::from_json(j, "f.json"),
                    "f.json:0: key 'user': expected an object with names, mean and scale, found "
                    "no such key");
  j = run.stats_json();
  j["item"]["names"].erase(0);
  CHECK_THROWS_WITH(FittedFeatures::from_json(j, "f.json"),
                    Catch::Contains("f.json:0: key 'item': expected 6 means and scales"));
  j = run.stats_json();
  j["watched_items"] = {1, "x"};
  CHECK_THROWS_WITH(FittedFeatures::from_json(j, "f.json"),
                    Catch::Contains("f.json:0: key 'watched_items': expected integer item ids"));
}

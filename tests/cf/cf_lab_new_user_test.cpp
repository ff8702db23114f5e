#include "cf/cf_lab_new_user.h"

#include <catch2/catch.hpp>

#include "core/error.h"
#include "data/cf_lab.h"
#include "test_util.h"

using namespace towerrec;

TEST_CASE("cf lab: a new user's fitted ratings and top predictions (lab settings)", "[cf]") {
  const std::string dir = test::shared_data("c3w2-collab-filtering-lab");
  if (dir.empty()) {
    WARN("c3w2-collab-filtering-lab not found; skipping");
    return;
  }
  const CfLab lab = read_cf_lab(dir);
  CHECK(cf_lab_ratings(lab).size() == 39253);
  // The lab: 100 features, λ = 1, Adam lr 0.1, 200 iterations, mean normalisation (the defaults).
  const CfOptions opts;
  REQUIRE(opts.features == 100);
  REQUIRE(opts.lambda == 1.0);
  REQUIRE(opts.lr == 0.1);
  REQUIRE(opts.iterations == 200);
  REQUIRE(opts.mean_normalize);
  const auto mine = cf_lab_example_ratings();
  const CfLabNewUserResult res = cf_lab_new_user(lab, mine, opts, 10, 0);
  REQUIRE(res.loss.size() == 200);
  CHECK(res.loss.back() < 0.05 * res.loss.front());
  REQUIRE(res.rated.size() == mine.size());
  CHECK(res.rated[0].title == "Toy Story 3 (2010)");
  CHECK(res.rated[6].title == "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)");
  for (const CfLabPrediction& p : res.rated) {
    INFO(p.title << ": rated " << p.rated << ", fitted " << p.predicted);
    CHECK(p.predicted == Approx(p.rated).margin(0.5));
  }
  REQUIRE(res.top.size() == 10);
  for (size_t k = 0; k < res.top.size(); ++k) {
    INFO(res.top[k].title << " " << res.top[k].predicted);
    CHECK(res.top[k].rated == 0.f);  // only movies the user did not rate
    CHECK(res.top[k].predicted > 4.0f);
    CHECK(res.top[k].predicted < 5.5f);
    if (k) CHECK(res.top[k].predicted <= res.top[k - 1].predicted);
  }
  // The lab's second listing: movies at least 20 users rated.
  const CfLabNewUserResult popular = cf_lab_new_user(lab, mine, opts, 10, 20);
  for (const CfLabPrediction& p : popular.top) {
    CHECK(p.num_ratings >= 20);
    CHECK(p.predicted > 4.0f);
  }
}

TEST_CASE("cf lab: new-user ratings are checked", "[cf]") {
  CfLab lab;
  lab.Y = CfLab::Matrix::Zero(3, 2);
  lab.R = CfLab::Matrix::Zero(3, 2);
  CHECK_THROWS_WITH(cf_lab_new_user(lab, {{3, 4.f}}, CfOptions{}, 5),
                    "cf_lab_new_user: expected a movie index in [0, 3), found 3");
  CHECK_THROWS_WITH(cf_lab_new_user(lab, {{1, 6.f}}, CfOptions{}, 5),
                    "cf_lab_new_user: movie 1: expected a rating in (0, 5], found 6.000000");
}

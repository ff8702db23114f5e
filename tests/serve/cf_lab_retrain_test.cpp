// The course lab's closing exercise end to end from the command line
// (configs/course-lab-new-user.*): its top predictions are the library's cf_lab_new_user result.
#include "serve/cf_lab_retrain.h"

#include <cstdio>
#include <sstream>

#include <catch2/catch.hpp>

#include "cf/cf_lab_new_user.h"
#include "config/yaml_config.h"
#include "data/cf_lab.h"
#include "data/dataset.h"
#include "serve/new_user_ratings.h"
#include "test_util.h"

using namespace towerrec;
using towerrec::test::run_cli;
using towerrec::test::TempDir;

TEST_CASE("lab new user: the CLI's top predictions are cf_lab_new_user's", "[serve][cf]") {
  const std::string data = test::shared_data("c3w2-collab-filtering-lab");
  if (data.empty()) {
    WARN("c3w2-collab-filtering-lab not found; skipping");
    return;
  }
  const std::string src = TOWERREC_SOURCE_DIR;
  const std::string config = src + "/configs/course-lab-new-user.yaml";
  const std::string ratings = src + "/configs/course-lab-new-user-ratings.csv";
  TempDir dir;
  const std::string run = dir.file("run");
  REQUIRE(run_cli({"train", "--config", config, "--data", data, "--out", run, "-q"}).exit_code ==
          0);
  const auto r = run_cli({"recommend", "--run", run, "--new-users", ratings, "--retrain", "--print",
                          "--k", "10", "--out", dir.file("mine.csv"), "-q"});
  REQUIRE(r.exit_code == 0);

  // The shipped CSV is the library's example user.
  const CfRun cf = open_cf_run(run);
  const NewUserRatings users = read_new_user_ratings(ratings, cf.run.data, {});
  const std::vector<CfLabRating> example = cf_lab_example_ratings();
  REQUIRE(users.ids.size() == 1);
  REQUIRE(users.items[0].size() == example.size());
  for (size_t k = 0; k < example.size(); ++k) {
    CHECK(cf.run.data.items.id(users.items[0][k]) == example[k].movie);
    CHECK(users.values[0][k] == example[k].rating);
  }

  const CfLabNewUserResult lib =
      cf_lab_new_user(read_cf_lab(data), example, load_run_options(config).cf, 10);
  std::istringstream csv(test::slurp(dir.file("mine.csv")));
  std::string line;
  std::getline(csv, line);
  CHECK(line == "user_id,rank,item_id,score");
  for (size_t k = 0; k < lib.top.size(); ++k) {
    REQUIRE(std::getline(csv, line));
    char want[96];
    std::snprintf(want, sizeof want, "1000,%zu,%d,%.6g", k + 1, lib.top[k].movie,
                  static_cast<double>(lib.top[k].predicted));
    CHECK(line == want);
    CHECK(r.out.find(lib.top[k].title) != std::string::npos);
  }
  CHECK(!std::getline(csv, line));
}

TEST_CASE("lab new user: --retrain needs a cf_lab run and one rated user", "[serve]") {
  CfRun cf;
  cf.run.data.format = DataFormat::kMovielens;
  NewUserRatings users;
  users.ids = {5};
  users.items = {{0}};
  users.values = {{4.f}};
  TempDir dir;
  CHECK_THROWS_WITH(recommend_lab_new_user(cf, users, {}, {}, dir.file("x.csv")),
                    Catch::StartsWith("recommend --retrain: expected a run on the course lab's "
                                      "data (data.format cf_lab), found format movielens"));
  cf.run.data.format = DataFormat::kCfLab;
  users.items = {{}};
  users.values = {{}};
  CHECK_THROWS_WITH(recommend_lab_new_user(cf, users, {}, {}, dir.file("x.csv")),
                    "recommend --retrain: expected one new user with ratings (the lab's "
                    "exercise), found 1 user(s) without ratings");
}

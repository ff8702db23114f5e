// recommend --new-users on CF runs: the fold-in is the training solve (a new user with a trained
// user's ratings gets that user's predictions), cold users get the item means, and bad files fail
// with file:line before anything is written.
#include "serve/cf_new_users.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>

#include <catch2/catch.hpp>

#include "core/error.h"
#include "data/dataset.h"
#include "serve/new_user_ratings.h"
#include "test_util.h"

using namespace towerrec;
using towerrec::test::run_cli;
using towerrec::test::TempDir;
namespace fs = std::filesystem;

namespace {

struct CfRunFixture {
  std::unique_ptr<TempDir> dir;
  std::string run;
};

// A small synthetic content-regression run, trained once per process through the CLI.
const CfRunFixture& content_run() {
  static CfRunFixture t;
  if (!t.dir) {
    t.dir = std::make_unique<TempDir>();
    const std::string cfg = t.dir->write("cf.yaml",
                                         "name: newusers\n"
                                         "data:\n  synthetic:\n    users: 80\n    items: 150\n"
                                         "    ratings_per_user: 20\n"
                                         "model:\n  kind: cf\n"
                                         "cf:\n  item_features: content\n  lambda: 2\n"
                                         // The model fits the whole training split.
                                         "train:\n  validation_fraction: 0\n");
    t.run = t.dir->file("run");
    REQUIRE(run_cli({"train", "--config", cfg, "--out", t.run, "--quiet"}).exit_code == 0);
  }
  return t;
}

// user_id,item_id,rating rows of `user`'s training ratings under the id `new_id`.
std::string rows_of_user(const CfRun& cf, int32_t user, int64_t new_id) {
  std::ostringstream s;
  for (uint32_t r : cf.run.train_rows)
    if (cf.run.data.ratings.user[r] == user)
      s << new_id << ',' << cf.run.data.items.id(cf.run.data.ratings.item[r]) << ','
        << cf.run.data.ratings.value[r] << '\n';
  return s.str();
}

// user_id -> (item_id -> score) from a recommend CSV.
std::map<int64_t, std::map<int64_t, double>> read_recs(const std::string& path) {
  std::istringstream in(test::slurp(path));
  std::string line;
  std::getline(in, line);
  std::map<int64_t, std::map<int64_t, double>> out;
  while (std::getline(in, line)) {
    long long u = 0, rank = 0, item = 0;
    double score = 0;
    REQUIRE(std::sscanf(line.c_str(), "%lld,%lld,%lld,%lf", &u, &rank, &item, &score) == 4);
    out[u][item] = score;
  }
  return out;
}

int64_t unused_id(const Dataset& d, int64_t from) {
  while (d.users.find(from) >= 0) ++from;
  return from;
}

}  // namespace

TEST_CASE("new users: a user with a trained user's ratings gets that user's predictions",
          "[serve]") {
  const CfRunFixture& f = content_run();
  const CfRun cf = open_cf_run(f.run);
  TempDir dir;
  const int64_t id = unused_id(cf.run.data, 100000);
  const std::string file =
      dir.write("new.csv", "user_id,item_id,rating\n" + rows_of_user(cf, 4, id) +
                               std::to_string(id + 1) + ",,\n");
  const NewUserRatings users = read_new_user_ratings(file, cf.run.data, {});
  REQUIRE(users.ids == std::vector<int64_t>{id, id + 1});
  ServeOptions opts;
  opts.k = cf.model.num_items();
  opts.exclude_seen = false;
  const NewUserSummary s = recommend_new_users(cf, users, opts, {}, dir.file("recs.csv"));
  CHECK(s.users == 2);
  CHECK(s.cold_users == 1);
  const std::vector<float> trained = cf.model.scores(4);
  REQUIRE(s.lists[0].items.size() == trained.size());
  for (size_t r = 0; r < s.lists[0].items.size(); ++r)
    CHECK(s.lists[0].scores[r] == Approx(trained[s.lists[0].items[r]]).margin(1e-4));
  // The cold user's list is the item means, best first.
  for (size_t r = 0; r < s.lists[1].items.size(); ++r)
    CHECK(s.lists[1].scores[r] == Approx(std::clamp(cf.model.item_offset()[s.lists[1].items[r]],
                                                    cf.model.rating_min(), cf.model.rating_max())));

  // Through the CLI: the same numbers in the CSV, and the counts printed.
  const auto r =
      run_cli({"recommend", "--run", f.run, "--new-users", file, "--out", dir.file("cli.csv"),
               "--set", "serve.exclude_seen=false", "--k", "1000", "-q"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("2 new users") != std::string::npos);
  CHECK(r.out.find("1 new user(s) with no usable ratings got the item-mean list") !=
        std::string::npos);
  const auto recs = read_recs(dir.file("cli.csv"));
  REQUIRE(recs.at(id).size() == trained.size());
  for (const auto& [item, score] : recs.at(id))
    CHECK(score == Approx(trained[cf.run.data.items.find(item)]).margin(1e-4));
}

TEST_CASE("new users: their own items and --exclude are never recommended", "[serve]") {
  const CfRunFixture& f = content_run();
  const CfRun cf = open_cf_run(f.run);
  TempDir dir;
  const int64_t id = unused_id(cf.run.data, 100000);
  const std::string rows = rows_of_user(cf, 2, id);
  const std::string file = dir.write("new.csv", "user_id,item_id,rating\n" + rows);
  const std::string exclude = dir.write("ex.txt", std::to_string(cf.run.data.items.id(0)) + "\n");
  const auto r = run_cli({"recommend", "--run", f.run, "--new-users", file, "--exclude", exclude,
                          "--out", dir.file("recs.csv"), "--k", "1000", "-q", "--print"});
  REQUIRE(r.exit_code == 0);
  const auto recs = read_recs(dir.file("recs.csv"));
  const NewUserRatings users = read_new_user_ratings(file, cf.run.data, {});
  std::vector<int32_t> left_out = users.items[0];
  left_out.push_back(0);
  std::sort(left_out.begin(), left_out.end());
  left_out.erase(std::unique(left_out.begin(), left_out.end()), left_out.end());
  CHECK(recs.at(id).size() == static_cast<size_t>(cf.model.num_items()) - left_out.size());
  CHECK(recs.at(id).count(cf.run.data.items.id(0)) == 0);
  for (int32_t i : users.items[0]) CHECK(recs.at(id).count(cf.run.data.items.id(i)) == 0);
  CHECK(r.out.find("user " + std::to_string(id) + ":\n  1. predicting ") != std::string::npos);
}

TEST_CASE("new users: bad files fail with file:line and write nothing", "[serve]") {
  const CfRunFixture& f = content_run();
  const CfRun cf = open_cf_run(f.run);
  TempDir dir;
  const int64_t id = unused_id(cf.run.data, 100000);
  const std::string known = std::to_string(cf.run.data.items.id(0));
  const std::string existing = std::to_string(cf.run.data.users.id(0));
  const std::string out = dir.file("recs.csv");
  struct Case {
    const char* name;
    std::string text;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"empty", "",
       ":0: expected the header user_id,item_id,rating and at least one row, found "
       "no header and no rows"},
      {"header only", "user_id,item_id,rating\n",
       ":0: expected the header user_id,item_id,rating and at least one row, found a header only"},
      {"no header", std::to_string(id) + "," + known + ",4\n",
       ":1: expected the header user_id,item_id,rating, found \""},
      {"clashing user", "user_id,item_id,rating\n" + existing + "," + known + ",4\n",
       ":2: user_id " + existing + ": expected a user the run did not see, found one of the run's"},
      {"unknown item", "user_id,item_id,rating\n" + std::to_string(id) + ",999999999,4\n",
       ":2: item_id 999999999: expected one of the run's 150 items, found an unknown id "
       "(--skip-unknown-items drops such rows)"},
      {"off the scale", "user_id,item_id,rating\n\n" + std::to_string(id) + "," + known + ",7\n",
       ":3: rating: expected a number in [0.5, 5], found \"7\""},
      {"not a number", "user_id,item_id,rating\n" + std::to_string(id) + "," + known + ",good\n",
       ":2: rating: expected a number in [0.5, 5], found \"good\""},
      {"two fields", "user_id,item_id,rating\n" + std::to_string(id) + "," + known + "\n",
       ":2: expected 3 fields (user_id,item_id,rating), found 2"},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      const std::string file = dir.write("bad.csv", c.text);
      const auto r =
          run_cli({"recommend", "--run", f.run, "--new-users", file, "--out", out, "-q"});
      CHECK(r.exit_code == 1);
      CHECK(r.err.find("towerrec: error: " + file + c.message) != std::string::npos);
      INFO(r.err);
      CHECK(!fs::exists(out));
    }
  }
}

TEST_CASE("new users: --skip-unknown-items and duplicates are counted", "[serve]") {
  const CfRunFixture& f = content_run();
  const CfRun cf = open_cf_run(f.run);
  TempDir dir;
  const std::string id = std::to_string(unused_id(cf.run.data, 100000));
  const std::string a = std::to_string(cf.run.data.items.id(0));
  const std::string b = std::to_string(cf.run.data.items.id(1));
  const std::string file =
      dir.write("new.csv", "user_id,item_id,rating\n" + id + "," + a + ",1\n" + id +
                               ",999999999,4\n" + id + "," + b + ",3\n" + id + "," + a + ",5\n");
  NewUserReadOptions ro;
  ro.skip_unknown_items = true;
  const NewUserRatings users = read_new_user_ratings(file, cf.run.data, ro);
  CHECK(users.rows == 4);
  CHECK(users.duplicates == 1);
  CHECK(users.unknown_items_skipped == 1);
  CHECK(users.items[0] == std::vector<int32_t>{0, 1});
  CHECK(users.values[0] == std::vector<float>{5.f, 3.f});  // the later row won
  const auto r = run_cli({"recommend", "--run", f.run, "--new-users", file, "--out",
                          dir.file("recs.csv"), "--skip-unknown-items", "-q"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("1 duplicate (user, item) row(s): the later rating kept") != std::string::npos);
  CHECK(r.out.find("1 row(s) with an item the run does not know skipped") != std::string::npos);
}

TEST_CASE("new users: a two-tower run or --towers is refused", "[serve]") {
  TempDir dir;
  const std::string file = dir.write("new.csv", "user_id,item_id,rating\n1,1,4\n");
  const auto r = run_cli({"recommend", "--towers", dir.path(), "--new-users", file, "--out",
                          dir.file("recs.csv"), "-q"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("recommend --new-users: expected --run DIR (a cf run) and no --towers") !=
        std::string::npos);
}

TEST_CASE("cf runs: recommend scores the run's users, similar the item features", "[serve]") {
  const CfRunFixture& f = content_run();
  const CfRun cf = open_cf_run(f.run);
  TempDir dir;
  const int64_t uid = cf.run.data.users.id(3);
  const std::string users = dir.write("users.txt", std::to_string(uid) + "\n");
  auto r = run_cli({"recommend", "--run", f.run, "--users", users, "--k", "5", "--out",
                    dir.file("recs.csv"), "-q"});
  REQUIRE(r.exit_code == 0);
  const auto recs = read_recs(dir.file("recs.csv"));
  REQUIRE(recs.at(uid).size() == 5);
  const std::vector<float> score = cf.model.scores(3);
  for (const auto& [item, s] : recs.at(uid)) {
    const int32_t i = cf.run.data.items.find(item);
    CHECK(s == Approx(score[i]).margin(1e-4));
    for (uint32_t row : cf.run.train_rows)  // never an item the user rated in training
      if (cf.run.data.ratings.user[row] == 3) CHECK(cf.run.data.ratings.item[row] != i);
  }
  r = run_cli({"similar", "--run", f.run, "--item", std::to_string(cf.run.data.items.id(0)), "--k",
               "3", "-q"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("item_id,rank,similar_item_id,distance\n", 0) == 0);
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 4);
}

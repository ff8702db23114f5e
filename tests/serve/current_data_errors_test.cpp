// --data that cannot be scored with the run: another format, none of the run's items, ratings off
// the run's scale, a run that is not a two-tower run. Each fails naming the file and what differs,
// and writes nothing.
#include <filesystem>

#include <catch2/catch.hpp>

#include "test_util.h"
#include "today_fixture.h"

using towerrec::test::run_cli;
using towerrec::test::slurp;
using towerrec::test::TempDir;
using towerrec::test::today_run;
namespace fs = std::filesystem;

namespace {

// Runs every --data verb on `data` and checks each fails with `message` and writes nothing.
void check_refused(const std::string& data, const std::string& message) {
  const auto& t = today_run();
  TempDir out;
  const std::vector<std::vector<std::string>> verbs = {
      {"embed", "--run", t.run_dir, "--out", out.file("x.npy")},
      {"recommend", "--run", t.run_dir, "--out", out.file("x.csv")},
      {"similar", "--run", t.run_dir, "--item", "1", "--out", out.file("x.csv")},
      {"features", "--run", t.run_dir, "--users", "--out", out.file("x.npy")}};
  for (auto args : verbs) {
    INFO(args[0]);
    args.insert(args.end(), {"--data", data, "-q"});
    const auto r = run_cli(args);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find(message) != std::string::npos);
    INFO(r.err);
    size_t files = 0;
    for (const auto& e : fs::directory_iterator(out.path()))
      files += e.path().extension() != ".lock";
    CHECK(files == 0);
  }
}

}  // namespace

// One test case (one process, one trained fixture) for all the refusals.
TEST_CASE("score --data: bad data dirs are refused naming the file, and nothing is written",
          "[serve]") {
  const auto& t = today_run();
  TempDir d;

  INFO("another format than the run's");
  d.write("ml100k/u.data", "1\t1\t5\t881250949\n");
  check_refused(d.file("ml100k"), d.file("ml100k/u.data") +
                                      ": the data is in format ml100k, the run was trained on "
                                      "movielens data (ratings.csv)");

  INFO("none of the run's items");
  d.write("foreign/movies.csv",
          "movieId,title,genres\n9001,Other (2001),Drama\n9002,More (2002),Comedy\n");
  d.write("foreign/ratings.csv", "userId,movieId,rating,timestamp\n1,9001,4.0,1\n2,9002,3.0,2\n");
  check_refused(d.file("foreign"), d.file("foreign/movies.csv") +
                                       ": none of its 2 items (ids 9001..9002) is one of the "
                                       "run's 400 (ids 1..400); is this the run's data?");

  INFO("ratings off the run's scale");
  d.write("offscale/movies.csv", slurp(t.run_dir + "/data/movies.csv"));
  d.write("offscale/ratings.csv", "userId,movieId,rating,timestamp\n1,1,4.0,1\n1,2,7.5,2\n");
  check_refused(d.file("offscale"),
                d.file("offscale/ratings.csv") +
                    ":3: field 'rating': expected a number in [0.5, 5], found \"7.5\" (the "
                    "run's rating scale, data.rating_min..rating_max)");

  INFO("unknown ids in --users still name the line");
  const auto users = d.write("users.txt", "151\n99999\n");
  const auto r = run_cli({"recommend", "--run", t.run_dir, "--data", t.today_dir, "--users", users,
                          "--out", d.file("recs.csv"), "-q"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find(users + ":2: no such user id 99999") != std::string::npos);
  CHECK(!fs::exists(d.file("recs.csv")));
}

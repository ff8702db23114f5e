#include <catch2/catch.hpp>

#include "test_util.h"

using towerrec::test::run_cli;
using towerrec::test::TempDir;

TEST_CASE("cli inspect: summarises a dataset directory", "[cli]") {
  TempDir dir;
  dir.write("movies.csv", "movieId,title,genres\n1,\"A, The (1999)\",Drama\n2,B,Comedy\n");
  dir.write("ratings.csv", "userId,movieId,rating,timestamp\n1,1,4,1\n2,1,5,2\n2,2,3,3\n");
  const auto r = run_cli({"inspect", dir.path(), "--quiet"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("format:             movielens\n") != std::string::npos);
  CHECK(r.out.find("users:              2\n") != std::string::npos);
  CHECK(r.out.find("ratings:            3\n") != std::string::npos);
  CHECK(r.out.find("  Drama                       1\n") != std::string::npos);
  CHECK(r.err.empty());
}

TEST_CASE("cli inspect: bad input exits 1 with the file:line message", "[cli]") {
  TempDir dir;
  dir.write("movies.csv", "movieId,title,genres\n1,a,Drama\n");
  dir.write("ratings.csv", "userId,movieId,rating,timestamp\n1,1,abc,1\n");
  auto r = run_cli({"inspect", dir.path(), "--quiet"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("towerrec: error: " + dir.file("ratings.csv") +
                   ":2: field 'rating': expected a number in [0.5, 5], found \"abc\"") !=
        std::string::npos);
  r = run_cli({"inspect", dir.path(), "--format", "csv"});
  CHECK(r.exit_code == 2);
  r = run_cli({"inspect", "--help"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("--format") != std::string::npos);
}

TEST_CASE("cli inspect: the real ml-100k", "[cli]") {
  const std::string dir = towerrec::test::shared_data("ml-100k");
  if (dir.empty()) {
    WARN("shared data ml-100k not found; skipping");
    return;
  }
  const auto r = run_cli({"inspect", dir, "--quiet"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("ratings:            100000\n") != std::string::npos);
  CHECK(r.out.find("users:              943\n") != std::string::npos);
  CHECK(r.out.find("items:              1682 (1682 rated)\n") != std::string::npos);
  CHECK(r.out.find("  gender (categorical): M 670, F 273; missing 0\n") != std::string::npos);
}

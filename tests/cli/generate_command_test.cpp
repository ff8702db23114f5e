#include <filesystem>

#include <catch2/catch.hpp>

#include "test_util.h"

using towerrec::test::run_cli;
using towerrec::test::slurp;
using towerrec::test::TempDir;

TEST_CASE("towerrec generate writes a dataset and refuses to overwrite without --force", "[cli]") {
  TempDir tmp;
  const std::string out = tmp.file("synth");
  const std::vector<std::string> args = {"generate", "--out",   out,  "--users",
                                         "50",       "--items", "40", "--ratings-per-user",
                                         "10",       "--seed",  "3"};
  auto r = run_cli(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("wrote " + out + ": 50 users, 40 items, ", 0) == 0);
  CHECK(r.err.find("generate ratings: 50/50 users") != std::string::npos);
  const std::string ratings = slurp(out + "/ratings.csv");
  CHECK(ratings.rfind("userId,movieId,rating,timestamp\n", 0) == 0);
  CHECK(slurp(out + "/users.csv").rfind("userId,age,gender,occupation\n1,", 0) == 0);

  r = run_cli(args);
  CHECK(r.exit_code == 1);
  CHECK(r.err == "towerrec: error: --out " + out +
                     ": directory is not empty; pass --force to overwrite its dataset files\n");

  // --force, the underscore spelling, -q (as every verb spells quiet) and another seed: the files
  // are replaced, silently.
  r = run_cli({"generate", "--out", out, "--force", "-q", "--users", "50", "--items", "40",
               "--ratings_per_user", "10", "--seed", "4"});
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(slurp(out + "/ratings.csv") != ratings);
}

TEST_CASE("towerrec generate is reproducible from its flags", "[cli]") {
  TempDir tmp;
  for (const char* name : {"a", "b"}) {
    const auto r = run_cli(
        {"generate",   "--out", tmp.file(name),     "--quiet", "--users", "30",  "--items", "20",
         "--genres",   "5",     "--latent-dim",     "3",       "--noise", "0.5", "--zipf",  "1.2",
         "--personal", "0.1",   "--genre-affinity", "0.9"});
    REQUIRE(r.exit_code == 0);
  }
  for (const char* f : {"ratings.csv", "movies.csv", "users.csv", "synthetic.json"})
    CHECK(slurp(tmp.file(std::string("a/") + f)) == slurp(tmp.file(std::string("b/") + f)));
  CHECK(slurp(tmp.file("a/synthetic.json")).find("\"genre_affinity\": 0.9") != std::string::npos);
}

TEST_CASE("towerrec generate reports bad flags with exit code 2", "[cli]") {
  TempDir tmp;
  auto r = run_cli({"generate", "--out", tmp.file("x"), "--users", "0"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "towerrec: --users: expected a number >= 1, found 0\n");
  CHECK(!std::filesystem::exists(tmp.file("x")));

  // Each run loads libtorch (about a second of CPU), so unknown and missing flags share one.
  r = run_cli({"generate", "--no-such-flag", "1"});
  CHECK(r.exit_code == 2);

  tmp.write("file", "x");
  r = run_cli({"generate", "--out", tmp.file("file")});
  CHECK(r.exit_code == 1);
  CHECK(r.err ==
        "towerrec: error: --out " + tmp.file("file") + ": expected a directory, found a file\n");

  r = run_cli({"generate", "--help"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("--ratings-per-user") != std::string::npos);
  CHECK(r.out.find("--force") != std::string::npos);
}

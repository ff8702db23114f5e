// embed, recommend and similar through the CLI on one small trained run (trained once per process).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/npy.h"
#include "test_util.h"

using towerrec::test::run_cli;
using towerrec::test::slurp;
using towerrec::test::TempDir;

namespace {

struct Trained {
  std::unique_ptr<TempDir> dir;
  std::string run, towers;
};

const Trained& trained() {
  static Trained t;
  if (!t.dir) {
    t.dir = std::make_unique<TempDir>();
    const auto cfg = t.dir->write("small.yaml",
                                  "name: small\n"
                                  "data:\n  synthetic:\n    users: 120\n    items: 300\n"
                                  "    ratings_per_user: 20\n"
                                  "model:\n  user_hidden: [16]\n  item_hidden: [16]\n  dim: 8\n"
                                  "train:\n  epochs: 2\n  batch_size: 64\n");
    t.run = t.dir->file("run");
    t.towers = t.dir->file("towers");
    const auto r = run_cli({"train", "--config", cfg, "--out", t.run, "--quiet"});
    REQUIRE(r.exit_code == 0);
    REQUIRE(run_cli({"export", "--run", t.run, "--out", t.towers}).exit_code == 0);
  }
  return t;
}

int64_t lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

}  // namespace

TEST_CASE("cli embed: items and users as .npy with ids, from --run or --towers", "[cli]") {
  const Trained& t = trained();
  TempDir dir;
  auto r = run_cli({"embed", "--run", t.run, "--out", dir.file("items.npy"), "-q"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("300 x 8 float32") != std::string::npos);
  const auto items = towerrec::read_npy_f32(dir.file("items.npy"));
  CHECK(items.rows == 300);
  CHECK(items.cols == 8);
  const auto ids = towerrec::read_ids(dir.file("items.ids"), 300);
  CHECK(ids.front() == "1");  // the generator's ids are dense index + 1, catalogue order
  CHECK(ids.back() == "300");

  r = run_cli({"embed", "--towers", t.towers, "--users", "--out", dir.file("users.npy"), "-q"});
  REQUIRE(r.exit_code == 0);
  CHECK(towerrec::read_npy_f32(dir.file("users.npy")).rows == 120);
  CHECK(lines(slurp(dir.file("users.ids"))) == 120);

  r = run_cli({"embed", "--out", dir.file("x.npy")});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("expected --run DIR (a trained run) or --towers DIR") != std::string::npos);
}

TEST_CASE("cli recommend: exact CSV, user file, exclusions, bad ids", "[cli]") {
  const Trained& t = trained();
  TempDir dir;
  auto r = run_cli({"recommend", "--run", t.run, "--k", "5", "--out", dir.file("recs.csv"), "-q"});
  REQUIRE(r.exit_code == 0);
  std::string csv = slurp(dir.file("recs.csv"));
  CHECK(csv.rfind("user_id,rank,item_id,score\n", 0) == 0);
  CHECK(lines(csv) == 1 + 120 * 5);

  const auto users = dir.write("users.txt", "7\n# a comment\n\n3\n");
  const auto exclude = dir.write("exclude.txt", "1\n2\n");
  r = run_cli({"recommend", "--towers", t.towers, "--users", users, "--exclude", exclude, "--set",
               "serve.k=3", "--out", dir.file("some.csv"), "-q"});
  REQUIRE(r.exit_code == 0);
  csv = slurp(dir.file("some.csv"));
  CHECK(lines(csv) == 1 + 2 * 3);
  CHECK(csv.find("\n7,1,") != std::string::npos);
  CHECK(csv.find("\n3,3,") != std::string::npos);
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::istringstream s(line);
    std::string u, rank, item;
    std::getline(s, u, ',');
    std::getline(s, rank, ',');
    std::getline(s, item, ',');
    CHECK(item != "1");
    CHECK(item != "2");
  }

  const auto bad = dir.write("bad.txt", "7\n99999\n");
  r = run_cli({"recommend", "--run", t.run, "--users", bad, "--out", dir.file("bad.csv"), "-q"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find(bad + ":2: no such user id 99999 (the run has 120 users, ids 1..120)") !=
        std::string::npos);
  CHECK(!std::filesystem::exists(dir.file("bad.csv")));
}

TEST_CASE("cli recommend --retrieval: CSV plus recall@K report", "[cli]") {
  const Trained& t = trained();
  TempDir dir;
  const auto r =
      run_cli({"recommend", "--run", t.run, "--retrieval", "--set",
               "serve.retrieval.recall_users=0", "--set", "serve.retrieval.ann_candidates=300",
               "--set", "serve.ann.ef_search=300", "--out", dir.file("recs.csv"), "-q"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("recall@10 vs exact on 120 users: 1") != std::string::npos);
  const auto rep = nlohmann::json::parse(slurp(dir.file("recs.retrieval.json")));
  CHECK(rep["recall_at_k"].get<double>() == Approx(1.0));
  CHECK(lines(slurp(dir.file("recs.csv"))) == 1 + 120 * 10);

  const auto bad = run_cli({"recommend", "--run", t.run, "--retrieval", "--set",
                            "serve.retrieval.neighbors=maybe", "--out", dir.file("x.csv"), "-q"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("serve.retrieval.neighbors") != std::string::npos);
}

TEST_CASE("cli similar: one item to stdout, a batch to a file, unknown ids", "[cli]") {
  const Trained& t = trained();
  TempDir dir;
  auto r = run_cli({"similar", "--run", t.run, "--item", "5", "--k", "4", "-q"});
  REQUIRE(r.exit_code == 0);
  const std::string single = r.out;
  CHECK(r.out.rfind("item_id,rank,similar_item_id,distance\n5,1,", 0) == 0);
  CHECK(lines(r.out) == 5);
  std::istringstream rows(r.out);
  std::string line;
  std::getline(rows, line);
  while (std::getline(rows, line)) CHECK(line.substr(line.find(',', 2)).rfind(",5,", 0) != 0);

  const auto items = dir.write("items.txt", "5\n6\n");
  r = run_cli({"similar", "--run", t.run, "--items", items, "--k", "4", "--out",
               dir.file("sim.csv"), "-q"});
  REQUIRE(r.exit_code == 0);
  const std::string csv = slurp(dir.file("sim.csv"));
  CHECK(lines(csv) == 1 + 8);
  // The batch's rows for item 5 are the single form's.
  CHECK(csv.substr(0, csv.find("\n6,") + 1) == single);

  r = run_cli({"similar", "--towers", t.towers, "--item", "5", "--k", "4", "-q"});
  CHECK(r.exit_code == 0);
  CHECK(lines(r.out) == 5);

  r = run_cli({"similar", "--run", t.run, "--item", "12345", "-q"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("--item 12345: no such item id 12345 (the run has 300 items, ids 1..300)") !=
        std::string::npos);
  r = run_cli({"similar", "--run", t.run, "--item", "abc", "-q"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("--item abc: expected an integer item id, got \"abc\"") != std::string::npos);
  r = run_cli({"similar", "--run", t.run, "-q"});
  CHECK(r.exit_code == 2);
}

// --data on embed, recommend, similar and features: today's users and items (new ones too) scored
// by a run without retraining, through the CLI.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>

#include "core/npy.h"
#include "test_util.h"
#include "today_fixture.h"

using towerrec::test::run_cli;
using towerrec::test::run_shell;
using towerrec::test::slurp;
using towerrec::test::TempDir;
using towerrec::test::today_run;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> split_line(const std::string& line) {
  std::vector<std::string> f;
  std::istringstream s(line);
  std::string x;
  while (std::getline(s, x, ',')) f.push_back(x);
  return f;
}

// user id -> item ids they rated in a ratings.csv.
std::map<std::string, std::set<std::string>> rated_items(const std::string& ratings_csv) {
  std::map<std::string, std::set<std::string>> out;
  std::istringstream in(towerrec::test::body_of(slurp(ratings_csv)));
  std::string line;
  while (std::getline(in, line)) {
    const auto f = split_line(line);
    out[f[0]].insert(f[1]);
  }
  return out;
}

// user id -> the item ids of their rows, in rank order, from a recommend CSV.
std::map<std::string, std::vector<std::string>> recs_by_user(const std::string& recs_csv) {
  std::map<std::string, std::vector<std::string>> out;
  std::istringstream in(towerrec::test::body_of(slurp(recs_csv)));
  std::string line;
  while (std::getline(in, line)) {
    const auto f = split_line(line);
    out[f[0]].push_back(f[2]);
  }
  return out;
}

bool python_has(const std::string& modules) {
  return std::system(("/usr/bin/python3 -c 'import " + modules + "' >/dev/null 2>&1").c_str()) == 0;
}

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("score --data: embed covers today's new users and items", "[serve]") {
  const auto& t = today_run();
  TempDir dir;
  auto r =
      run_cli({"embed", "--run", t.run_dir, "--data", t.today_dir, "--out", dir.file("items.npy")});
  REQUIRE(r.exit_code == 0);
  // One warning for the genre the run never saw, naming it and its count.
  CHECK(occurrences(r.err, "warning:") == 1);
  CHECK(r.err.find("1 genre the run did not know (ignored): Anime (1 item)") != std::string::npos);
  CHECK(r.err.find("152 users (2 new), 402 items (2 new)") != std::string::npos);
  const auto items = towerrec::read_npy_f32(dir.file("items.npy"));
  CHECK(items.rows == 402);
  const auto ids = towerrec::read_ids(dir.file("items.ids"), 402);
  CHECK(std::find(ids.begin(), ids.end(), "401") != ids.end());
  CHECK(std::find(ids.begin(), ids.end(), "402") != ids.end());

  r = run_cli({"embed", "--towers", t.towers_dir, "--data", t.today_dir, "--users", "--out",
               dir.file("users.npy"), "-q"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("warning: ") != std::string::npos);  // warnings survive --quiet
  const auto uids = towerrec::read_ids(dir.file("users.ids"), 152);
  CHECK(uids[150] == "151");
  CHECK(uids[151] == "152");

  // Without --data: the run's catalogue, as before.
  r = run_cli({"embed", "--run", t.run_dir, "--out", dir.file("run_items.npy"), "-q"});
  REQUIRE(r.exit_code == 0);
  CHECK(towerrec::read_npy_f32(dir.file("run_items.npy")).rows == 400);
}

TEST_CASE("score --data: recommend scores new users and new items, excluding today's ratings",
          "[serve]") {
  const auto& t = today_run();
  TempDir dir;
  const auto users = dir.write("users.txt", "151\n152\n1\n");
  // k = the whole catalogue: every item a user did not rate today is ranked.
  auto r = run_cli({"recommend", "--run", t.run_dir, "--data", t.today_dir, "--users", users, "--k",
                    "402", "--out", dir.file("recs.csv"), "-q"});
  REQUIRE(r.exit_code == 0);
  const auto rated = rated_items(t.today_dir + "/ratings.csv");
  auto recs = recs_by_user(dir.file("recs.csv"));
  for (const auto& [user, items] : recs) {
    CHECK(rated.count(user) == (user != "152"));
    for (const auto& item : items)
      if (rated.count(user)) CHECK(rated.at(user).count(item) == 0);
  }
  REQUIRE(recs.size() == 3);
  CHECK(recs["152"].size() == 402);  // no ratings: the cold-start user gets everything
  CHECK(recs["151"].size() == 402 - 4);
  CHECK(recs["1"].size() == 402 - rated.at("1").size());
  // The new items are recommended to the cold-start user (and 402 to user 151; 401 they rated).
  CHECK(std::count(recs["152"].begin(), recs["152"].end(), "401") == 1);
  CHECK(std::count(recs["151"].begin(), recs["151"].end(), "402") == 1);
  CHECK(std::count(recs["151"].begin(), recs["151"].end(), "401") == 0);

  // Today's users are known with --data only.
  const auto new_user = dir.write("new.txt", "151\n");
  r = run_cli(
      {"recommend", "--run", t.run_dir, "--users", new_user, "--out", dir.file("old.csv"), "-q"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find(new_user + ":1: no such user id 151") != std::string::npos);
  CHECK(!fs::exists(dir.file("old.csv")));
}

TEST_CASE("score --data: features + Python towers reproduce embed's vectors", "[serve]") {
  const auto& t = today_run();
  TempDir dir;
  std::string triples;  // side, features, embed: one Python start for all four
  for (const bool today : {true, false}) {
    for (const std::string side : {"users", "items"}) {
      INFO((today ? "--data " : "run's data ") << side);
      const std::string stem = dir.file(side + (today ? "_today" : "_run"));
      std::vector<std::string> data;
      if (today) data = {"--data", t.today_dir};
      auto with = [&](std::vector<std::string> a) {
        a.insert(a.end(), data.begin(), data.end());
        return a;
      };
      const auto r = run_cli(
          with({"features", "--run", t.run_dir, "--" + side, "--out", stem + ".npy", "-q"}));
      REQUIRE(r.exit_code == 0);
      CHECK(r.out.find("bag entries") != std::string::npos);
      auto embed = with({"embed", "--run", t.run_dir, "--out", stem + "_embed.npy", "-q"});
      if (side == "users") embed.push_back("--users");
      REQUIRE(run_cli(embed).exit_code == 0);
      const auto header = towerrec::read_npy_header(stem + ".npy");
      CHECK(header.rows() == (side == "users" ? (today ? 152 : 150) : (today ? 402 : 400)));
      CHECK(towerrec::read_npy_i64(stem + ".bag_rows.npy").rows ==
            towerrec::read_npy_i64(stem + ".bag_items.npy").rows);
      CHECK(slurp(stem + ".ids") == slurp(stem + "_embed.ids"));
      triples += " " + side + " '" + stem + ".npy' '" + stem + "_embed.npy'";
    }
  }
  // Neither --users nor --items.
  const auto r = run_cli({"features", "--run", t.run_dir, "--out", dir.file("x.npy")});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("expected --users or --items") != std::string::npos);

  if (!python_has("torch, numpy")) {
    WARN("/usr/bin/python3 cannot import torch and numpy; skipping the Python parity check");
    return;
  }
  const auto py = run_shell("/usr/bin/python3 '" + std::string(TOWERREC_SOURCE_DIR) +
                            "/scripts/features_parity.py' '" + t.towers_dir + "'" + triples);
  INFO(py.out << py.err);
  CHECK(py.exit_code == 0);
  CHECK(std::count(py.out.begin(), py.out.end(), '\n') == 4);
}

TEST_CASE("score --titles: recommend and similar output round-trips through Python's csv",
          "[serve]") {
  const auto& t = today_run();
  TempDir dir;
  auto r = run_cli({"recommend", "--run", t.run_dir, "--data", t.today_dir, "--k", "5", "--titles",
                    "--out", dir.file("recs.csv"), "-q"});
  REQUIRE(r.exit_code == 0);
  r = run_cli({"similar", "--run", t.run_dir, "--data", t.today_dir, "--item", "401", "--k", "5",
               "--titles", "--out", dir.file("sim.csv"), "-q"});
  REQUIRE(r.exit_code == 0);
  const std::string recs = slurp(dir.file("recs.csv"));
  CHECK(recs.rfind("user_id,rank,item_id,score,title\n", 0) == 0);
  CHECK(recs.find(", the \"\"cut\"\" (") != std::string::npos);
  CHECK(slurp(dir.file("sim.csv")).rfind("item_id,rank,similar_item_id,distance,title\n", 0) == 0);
  if (!python_has("csv")) {
    WARN("/usr/bin/python3 is missing; skipping the csv round trip");
    return;
  }
  // Every row has 5 fields and its title is the catalogue's, as Python's csv reads both files.
  const std::string check = dir.write("check.py", R"(import csv, sys
movies, recs, sim = sys.argv[1:4]
titles = {row["movieId"]: row["title"] for row in csv.DictReader(open(movies, newline=""))}
n = 0
for path, item in ((recs, "item_id"), (sim, "similar_item_id")):
    rows = list(csv.reader(open(path, newline="")))
    header = rows[0]
    assert header[-1] == "title" and len(header) == 5, header
    for row in rows[1:]:
        assert len(row) == 5, row
        d = dict(zip(header, row))
        assert d["title"] == titles[d[item]], (d, titles[d[item]])
        assert ", the \"cut\" (" in d["title"] or d[item] in ("401", "402"), d
        n += 1
print(n, "rows")
)");
  const auto py = run_shell("/usr/bin/python3 '" + check + "' '" + t.today_dir + "/movies.csv' '" +
                            dir.file("recs.csv") + "' '" + dir.file("sim.csv") + "'");
  INFO(py.out << py.err);
  CHECK(py.exit_code == 0);
  CHECK(py.out == std::to_string(152 * 5 + 5) + " rows\n");
}

TEST_CASE("score --data: recommend --retrieval ranks today's candidates, new items included",
          "[serve]") {
  const auto& t = today_run();
  TempDir dir;
  const auto users = dir.write("users.txt", "151\n152\n1\n");
  auto r = run_cli({"recommend", "--run", t.run_dir, "--data", t.today_dir, "--users", users,
                    "--retrieval", "--k", "10", "--out", dir.file("recs.csv"), "-q"});
  REQUIRE(r.exit_code == 0);
  const auto rated = rated_items(t.today_dir + "/ratings.csv");
  auto recs = recs_by_user(dir.file("recs.csv"));
  REQUIRE(recs.size() == 3);
  for (const auto& [user, items] : recs) {
    INFO("user " << user);
    for (const auto& item : items)  // today's ratings excluded
      if (rated.count(user)) CHECK(rated.at(user).count(item) == 0);
    CHECK(items.size() == 10);
    CHECK(std::set<std::string>(items.begin(), items.end()).size() == 10);
  }
  // The report compares against exact top-K over today's catalogue (402 items).
  CHECK(fs::exists(dir.file("recs.retrieval.json")));

  // The ANN index holds today's catalogue: asked for all of it, it hands every unrated item to the
  // ranking, so new item 402 reaches user 151 (who rated 401) and both new items reach user 152.
  r = run_cli({"recommend", "--run", t.run_dir, "--data", t.today_dir, "--users", users,
               "--retrieval", "--set", "serve.retrieval.ann_candidates=402", "--k", "402", "--out",
               dir.file("all.csv"), "-q"});
  REQUIRE(r.exit_code == 0);
  recs = recs_by_user(dir.file("all.csv"));
  CHECK(recs["151"].size() == 402 - 4);
  CHECK(recs["152"].size() == 402);
  CHECK(std::count(recs["151"].begin(), recs["151"].end(), "402") == 1);
  CHECK(std::count(recs["151"].begin(), recs["151"].end(), "401") == 0);
  CHECK(std::count(recs["152"].begin(), recs["152"].end(), "401") == 1);
  CHECK(std::count(recs["152"].begin(), recs["152"].end(), "402") == 1);
}

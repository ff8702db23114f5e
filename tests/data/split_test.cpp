#include "data/split.h"

#include <algorithm>
#include <fstream>
#include <map>

#include <catch2/catch.hpp>

#include "core/error.h"
#include "data/dataset.h"
#include "data/dataset_reader.h"
#include "test_util.h"

using namespace towerrec;

namespace {

const char* const kGrammar =
    "random:FRACTION:SEED (FRACTION in (0,1)), temporal:N or ml100k:FOLD (u1..u5, ua, ub)";

// n ratings over `users` users, round-robin, timestamps = row index.
Dataset synthetic_rows(size_t n, int32_t users) {
  Dataset d;
  d.format = DataFormat::kMovielens;
  for (int32_t u = 0; u < users; ++u) d.users.add(u + 1);
  d.items.add(1);
  for (size_t r = 0; r < n; ++r)
    d.ratings.push_back(static_cast<int32_t>(r % users), 0, 3.0f, static_cast<int64_t>(r));
  return d;
}

// MovieLens 100K through the real reader; if the reader fails, u.data parsed minimally (user, item,
// rating, ts; tab-separated; file order kept) so the folds are still checked, with a warning.
Dataset load_ml100k(const std::string& dir) {
  try {
    return read_dataset(dir, DataOptions{});
  } catch (const Error& e) {
    WARN("read_dataset failed on ml-100k (" << e.what()
                                            << "); checking folds on u.data parsed here");
  }
  Dataset d;
  d.format = DataFormat::kMl100k;
  std::ifstream in(dir + "/u.data");
  int64_t u, i, ts;
  float v;
  while (in >> u >> i >> v >> ts) d.ratings.push_back(d.users.add(u), d.items.add(i), v, ts);
  return d;
}

bool is_partition(const Split& s, size_t n) {
  std::vector<uint32_t> all = s.train;
  all.insert(all.end(), s.test.begin(), s.test.end());
  std::sort(all.begin(), all.end());
  if (all.size() != n) return false;
  for (size_t r = 0; r < n; ++r)
    if (all[r] != r) return false;
  return std::is_sorted(s.train.begin(), s.train.end()) &&
         std::is_sorted(s.test.begin(), s.test.end());
}

}  // namespace

TEST_CASE("SplitSpec parses each form and prints it back", "[data]") {
  SplitSpec r = SplitSpec::parse("random:0.25:7");
  CHECK(r.kind == SplitSpec::Kind::kRandom);
  CHECK(r.fraction == 0.25);
  CHECK(r.seed == 7);
  CHECK(r.str() == "random:0.25:7");
  CHECK(SplitSpec::parse("random:0.2:42").str() == "random:0.2:42");
  CHECK(SplitSpec::parse("random:.1:18446744073709551615").str() ==
        "random:0.1:18446744073709551615");

  SplitSpec t = SplitSpec::parse("temporal:5");
  CHECK(t.kind == SplitSpec::Kind::kTemporal);
  CHECK(t.n == 5);
  CHECK(t.str() == "temporal:5");

  for (const char* fold : {"u1", "u2", "u3", "u4", "u5", "ua", "ub"}) {
    SplitSpec m = SplitSpec::parse(std::string("ml100k:") + fold);
    CHECK(m.kind == SplitSpec::Kind::kMl100k);
    CHECK(m.fold == fold);
    CHECK(m.str() == std::string("ml100k:") + fold);
  }
}

TEST_CASE("SplitSpec rejects malformed specs quoting them and the grammar", "[data]") {
  for (const char* bad : {"",
                          "random",
                          "random:abc",
                          "random:0.2",
                          "random:0.2:x",
                          "random:0:1",
                          "random:1:1",
                          "random:1.5:1",
                          "random:-0.1:1",
                          "random:0.2:-1",
                          "random:0.2:1:2",
                          "random:nan:1",
                          "random:0.2 :1",
                          "temporal",
                          "temporal:0",
                          "temporal:-1",
                          "temporal:2.5",
                          "temporal:x",
                          "ml100k",
                          "ml100k:u6",
                          "ml100k:u0",
                          "ml100k:uc",
                          "RANDOM:0.2:1",
                          "kfold:5"}) {
    INFO(bad);
    try {
      SplitSpec::parse(bad);
      FAIL("accepted " << bad);
    } catch (const UsageError& e) {
      CHECK(std::string(e.what()) == "--split " + quote_found(bad) + ": expected " + kGrammar);
    }
  }
  CHECK_THROWS_WITH(SplitSpec::parse("random:abc"),
                    "--split \"random:abc\": expected random:FRACTION:SEED (FRACTION in (0,1)), "
                    "temporal:N or ml100k:FOLD (u1..u5, ua, ub)");
  CHECK_THROWS_WITH(SplitSpec::parse("temporal:0", "data.split"),
                    "data.split \"temporal:0\": expected " + std::string(kGrammar));
}

TEST_CASE("random split is exact, sorted, and determined by the seed", "[data]") {
  const Dataset d = synthetic_rows(1001, 7);
  const Split a = make_split(d, SplitSpec::parse("random:0.2:42"));
  CHECK(is_partition(a, 1001));
  CHECK(a.test.size() == 200);  // round(0.2 * 1001) = round(200.2)
  CHECK(a.train.size() == 801);

  const Split again = make_split(d, SplitSpec::parse("random:0.2:42"));
  CHECK(again.test == a.test);
  CHECK(again.train == a.train);

  const Split other = make_split(d, SplitSpec::parse("random:0.2:43"));
  CHECK(other.test.size() == 200);
  CHECK(other.test != a.test);

  CHECK(make_split(d, SplitSpec::parse("random:0.5:1")).test.size() == 501);   // round(500.5)
  CHECK(make_split(d, SplitSpec::parse("random:0.001:1")).test.size() == 1);   // round(1.001)
  CHECK(make_split(d, SplitSpec::parse("random:0.0001:1")).test.size() == 0);  // round(0.1001)
  CHECK(make_split(Dataset{}, SplitSpec::parse("random:0.2:1")).test.empty());

  // Pinned values: the shuffle is ours (core/rng.h on std::mt19937_64), so these hold on every
  // standard library. A change here changes every published split.
  const Split small = make_split(synthetic_rows(20, 1), SplitSpec::parse("random:0.25:1"));
  CHECK(small.test == std::vector<uint32_t>{2, 4, 8, 12, 18});
}

TEST_CASE("a hand-built spec is checked like a parsed one", "[data]") {
  SplitSpec s;
  s.fraction = 1.5;
  CHECK_THROWS_AS(make_split(synthetic_rows(10, 2), s), UsageError);
}

TEST_CASE("temporal split puts each user's latest ratings in test", "[data]") {
  Dataset d;
  d.format = DataFormat::kMovielens;
  // user 0: 5 ratings, timestamps out of row order, with a tie at 50 (rows 3 and 6)
  // user 1: 2 ratings; user 2: 1 rating; user 3: 3 ratings all at the same time
  struct Row {
    int32_t user;
    int64_t ts;
  };
  const std::vector<Row> rows = {{0, 10}, {1, 5}, {0, 40}, {0, 50}, {2, 1}, {0, 20},
                                 {0, 50}, {1, 4}, {3, 7},  {3, 7},  {3, 7}};
  for (int32_t u = 0; u < 4; ++u) d.users.add(100 + u);
  for (size_t r = 0; r < rows.size(); ++r)
    d.ratings.push_back(rows[r].user, d.items.add(static_cast<int64_t>(r)), 4.0f, rows[r].ts);

  const Split s2 = make_split(d, SplitSpec::parse("temporal:2"));
  CHECK(is_partition(s2, rows.size()));
  // user 0: rows 3 and 6 (ts 50, 50); user 1: only row 1 (keeps row 7, the older, in train);
  // user 2: nothing; user 3: rows 9 and 10 (ties -> later rows are later).
  CHECK(s2.test == std::vector<uint32_t>{1, 3, 6, 9, 10});

  const Split s1 = make_split(d, SplitSpec::parse("temporal:1"));
  CHECK(s1.test == std::vector<uint32_t>{1, 6, 10});

  const Split s9 = make_split(d, SplitSpec::parse("temporal:9"));
  // Every user keeps exactly one rating (its oldest: row 0, 7, 4, 8) in train.
  CHECK(s9.train == std::vector<uint32_t>{0, 4, 7, 8});
}

TEST_CASE("ml100k folds need the MovieLens 100K data", "[data]") {
  const Dataset d = synthetic_rows(100, 3);
  CHECK_THROWS_WITH(make_split(d, SplitSpec::parse("ml100k:u1")),
                    "split \"ml100k:u1\": expected the MovieLens 100K ratings (format \"ml100k\", "
                    "u.data with 100000 rows), found format \"movielens\" with 100 ratings");
  Dataset wrong_size = synthetic_rows(99999, 3);
  wrong_size.format = DataFormat::kMl100k;
  CHECK_THROWS_AS(make_split(wrong_size, SplitSpec::parse("ml100k:ua")), Error);
}

TEST_CASE("ml100k folds match mku.sh on the real data", "[data]") {
  const std::string dir = test::shared_data("ml-100k");
  if (dir.empty()) {
    WARN("shared data ml-100k not found; skipping");
    return;
  }
  const Dataset d = load_ml100k(dir);
  REQUIRE(d.format == DataFormat::kMl100k);
  REQUIRE(d.ratings.size() == 100000);

  std::vector<int> covered(d.ratings.size(), 0);
  for (int i = 1; i <= 5; ++i) {
    const Split s = make_split(d, SplitSpec::parse("ml100k:u" + std::to_string(i)));
    CHECK(is_partition(s, 100000));
    REQUIRE(s.test.size() == 20000);
    CHECK(s.test.front() == static_cast<uint32_t>((i - 1) * 20000));
    CHECK(s.test.back() == static_cast<uint32_t>(i * 20000 - 1));
    for (uint32_t r : s.test) ++covered[r];
  }
  // u1..u5 test folds partition the data.
  CHECK(std::all_of(covered.begin(), covered.end(), [](int c) { return c == 1; }));

  // u1.test's first line sorted by (user, item) is "1 6 5 887431973" (PROVENANCE: byte-identical).
  const Split u1 = make_split(d, SplitSpec::parse("ml100k:u1"));
  std::vector<std::pair<int64_t, int64_t>> u1_pairs;
  for (uint32_t r : u1.test)
    u1_pairs.emplace_back(d.users.id(d.ratings.user[r]), d.items.id(d.ratings.item[r]));
  std::sort(u1_pairs.begin(), u1_pairs.end());
  CHECK(u1_pairs.front() == std::make_pair<int64_t, int64_t>(1, 6));

  for (const char* fold : {"ua", "ub"}) {
    const Split s = make_split(d, SplitSpec::parse(std::string("ml100k:") + fold));
    CHECK(is_partition(s, 100000));
    CHECK(s.test.size() == 9430);
    std::map<int32_t, int> per_user;
    for (uint32_t r : s.test) ++per_user[d.ratings.user[r]];
    CHECK(per_user.size() == 943);
    CHECK(std::all_of(per_user.begin(), per_user.end(), [](auto& kv) { return kv.second == 10; }));
  }
  // ua takes each user's first ten ratings in file order: user 196's first rating (row 0) is in it.
  CHECK(make_split(d, SplitSpec::parse("ml100k:ua")).test.front() == 0);
}

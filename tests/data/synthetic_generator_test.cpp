#include "data/synthetic_generator.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>

#include "core/error.h"
#include "data/dataset_reader.h"
#include "test_util.h"

using namespace towerrec;

namespace {

SyntheticOptions small_options() {
  SyntheticOptions opts;
  opts.users = 300;
  opts.items = 400;
  opts.ratings_per_user = 25;
  opts.seed = 11;
  return opts;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string f; std::getline(in, f, ',');) out.push_back(f);
  return out;
}

struct RatingRow {
  int64_t user, item;
  double value;
  int64_t ts;
};

std::vector<RatingRow> parse_ratings(const std::string& text) {
  std::vector<RatingRow> rows;
  const auto lines = lines_of(text);
  for (size_t k = 1; k < lines.size(); ++k) {
    const auto f = fields_of(lines[k]);
    REQUIRE(f.size() == 4);
    rows.push_back({std::stoll(f[0]), std::stoll(f[1]), std::stod(f[2]), std::stoll(f[3])});
  }
  return rows;
}

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  double ma = 0, mb = 0;
  for (size_t k = 0; k < a.size(); ++k) ma += a[k] / n, mb += b[k] / n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t k = 0; k < a.size(); ++k) {
    sab += (a[k] - ma) * (b[k] - mb);
    saa += (a[k] - ma) * (a[k] - ma);
    sbb += (b[k] - mb) * (b[k] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

}  // namespace

TEST_CASE("generate is byte-identical for a seed and differs for another", "[data]") {
  test::TempDir a, b, c;
  SyntheticOptions opts = small_options();
  SyntheticGenerator(opts).write(a.path());
  SyntheticGenerator(opts).write(b.path());
  for (const char* f : {"ratings.csv", "movies.csv", "users.csv", "synthetic.json"}) {
    INFO(f);
    CHECK(!test::slurp(a.file(f)).empty());
    CHECK(test::slurp(a.file(f)) == test::slurp(b.file(f)));
  }
  opts.seed = 12;
  SyntheticGenerator(opts).write(c.path());
  CHECK(test::slurp(a.file("ratings.csv")) != test::slurp(c.file("ratings.csv")));
  CHECK(test::slurp(a.file("movies.csv")) != test::slurp(c.file("movies.csv")));
  CHECK(test::slurp(a.file("users.csv")) != test::slurp(c.file("users.csv")));
}

TEST_CASE("generate pins its output for a seed on every platform", "[data]") {
  // Any change to the model or the sampler changes every synthetic run: make it on purpose.
  test::TempDir dir;
  SyntheticOptions opts;
  opts.users = 3;
  opts.items = 8;
  opts.ratings_per_user = 5;
  opts.seed = 1;
  SyntheticGenerator(opts).write(dir.path());
  const auto ratings = lines_of(test::slurp(dir.file("ratings.csv")));
  REQUIRE(ratings.size() == 16);
  CHECK(ratings[1] == "1,1,3.5,1189400052");
  CHECK(lines_of(test::slurp(dir.file("users.csv")))[1] == "1,18,F,educator");
  CHECK(lines_of(test::slurp(dir.file("movies.csv")))[1] ==
        "1,Item 1 (2012),Comedy|Romance|Horror|Children");
}

TEST_CASE("generate writes the MovieLens-latest layout", "[data]") {
  test::TempDir dir;
  const SyntheticOptions opts = small_options();
  const SyntheticGenerator gen(opts);
  std::vector<Progress> calls;
  const SyntheticSummary s = gen.write(dir.path(), [&](const Progress& p) { calls.push_back(p); });
  CHECK(s.users == 300);
  CHECK(s.items == 400);

  const auto movies = lines_of(test::slurp(dir.file("movies.csv")));
  REQUIRE(movies.size() == 401);
  CHECK(movies[0] == "movieId,title,genres");
  const std::set<std::string> names(gen.model().genre_names().begin(),
                                    gen.model().genre_names().end());
  CHECK(names.size() == 18);
  CHECK(names.count("Drama") == 1);
  int no_genres = 0;
  for (size_t k = 1; k < movies.size(); ++k) {
    const auto f = fields_of(movies[k]);
    REQUIRE(f.size() == 3);
    CHECK(f[0] == std::to_string(k));
    const int32_t i = static_cast<int32_t>(k - 1);
    CHECK(f[1] == "Item " + std::to_string(k) + " (" + std::to_string(gen.model().year(i)) + ")");
    CHECK(gen.model().year(i) >= 1920);
    CHECK(gen.model().year(i) <= 2020);
    if (f[2] == "(no genres listed)") {
      ++no_genres;
      CHECK(gen.model().genres(i) == 0);
      continue;
    }
    std::istringstream in(f[2]);
    int count = 0;
    for (std::string g; std::getline(in, g, '|'); ++count) CHECK(names.count(g) == 1);
    CHECK(count == __builtin_popcountll(gen.model().genres(i)));
    CHECK(count <= 4);
  }
  CHECK(no_genres < 30);

  const auto users = lines_of(test::slurp(dir.file("users.csv")));
  REQUIRE(users.size() == 301);
  CHECK(users[0] == "userId,age,gender,occupation");
  std::set<std::string> occupations;
  for (size_t k = 1; k < users.size(); ++k) {
    const auto f = fields_of(users[k]);
    REQUIRE(f.size() == 4);
    CHECK(f[0] == std::to_string(k));
    CHECK(std::stoi(f[1]) >= 14);
    CHECK(std::stoi(f[1]) <= 85);
    CHECK((f[2] == "F" || f[2] == "M"));
    occupations.insert(f[3]);
  }
  CHECK(occupations.size() > 10);

  const std::string text = test::slurp(dir.file("ratings.csv"));
  CHECK(text.rfind("userId,movieId,rating,timestamp\n", 0) == 0);
  const auto rows = parse_ratings(text);
  CHECK(static_cast<int64_t>(rows.size()) == s.ratings);
  std::map<int64_t, std::vector<int64_t>> items_of;
  double sum = 0;
  for (const auto& r : rows) {
    CHECK(r.value >= 0.5);
    CHECK(r.value <= 5.0);
    CHECK(r.value * 2 == std::round(r.value * 2));
    CHECK(r.ts >= 946684800);
    CHECK(r.ts < 946684800 + 30LL * 365 * 86400);
    items_of[r.user].push_back(r.item);
    sum += r.value;
  }
  CHECK(std::abs(sum / rows.size() - s.mean_rating) < 1e-9);
  CHECK(s.mean_rating > 3.0);
  CHECK(s.mean_rating < 4.0);
  REQUIRE(items_of.size() == 300);
  for (const auto& [user, items] : items_of) {
    CHECK(items.size() >= 5);
    CHECK(std::is_sorted(items.begin(), items.end()));
    CHECK(std::adjacent_find(items.begin(), items.end()) == items.end());
    CHECK(items.front() >= 1);
    CHECK(items.back() <= 400);
  }
  // Log-normal counts around the mean.
  CHECK(rows.size() > 300 * 25 * 0.8);
  CHECK(rows.size() < 300 * 25 * 1.2);

  REQUIRE(!calls.empty());
  CHECK(calls.back().stage == "generate ratings");
  CHECK(calls.back().done == 300);
  CHECK(calls.back().total == 300);
  CHECK(calls.back().unit == "users");
}

TEST_CASE("generated ratings follow the planted structure", "[data]") {
  test::TempDir dir;
  SyntheticOptions opts = small_options();
  opts.users = 600;
  opts.ratings_per_user = 40;
  const SyntheticGenerator gen(opts);
  gen.write(dir.path());
  const auto rows = parse_ratings(test::slurp(dir.file("ratings.csv")));
  std::vector<double> value, expected, content;
  std::map<int64_t, std::pair<double, int>> item_sum;
  std::vector<int> item_count(400, 0);
  for (const auto& r : rows) {
    const auto u = static_cast<int32_t>(r.user - 1), i = static_cast<int32_t>(r.item - 1);
    value.push_back(r.value);
    expected.push_back(gen.model().expected(u, i));
    content.push_back(gen.model().content_expected(u, i));
    item_sum[r.item].first += r.value;
    ++item_sum[r.item].second;
    ++item_count[static_cast<size_t>(i)];
  }
  // Noise 0.35 against a signal of about one star: the planted mean explains most of the variance,
  // and the part a content model can know (demographics, genres, year, popularity) a good share.
  CHECK(correlation(value, expected) > 0.85);
  CHECK(correlation(value, content) > 0.5);

  // Items differ in quality: the spread of item means is far above what noise alone would give.
  std::vector<double> means;
  for (const auto& [item, sc] : item_sum)
    if (sc.second >= 20) means.push_back(sc.first / sc.second);
  REQUIRE(means.size() > 50);
  double m = 0, v = 0;
  for (double x : means) m += x / means.size();
  for (double x : means) v += (x - m) * (x - m) / means.size();
  CHECK(std::sqrt(v) > 0.3);

  // Zipf popularity: the most popular item is rated far more often than the median item.
  int32_t top = 0;
  for (int32_t i = 1; i < 400; ++i)
    if (gen.model().popularity(i) > gen.model().popularity(top)) top = i;
  std::vector<int> sorted = item_count;
  std::sort(sorted.begin(), sorted.end());
  CHECK(item_count[static_cast<size_t>(top)] > 5 * std::max(1, sorted[200]));
}

TEST_CASE("generate handles users who rate most or all of a small catalogue", "[data]") {
  for (double zipf : {0.0, 0.9, 3.0}) {
    for (int64_t items : {3, 12, 60}) {
      INFO("zipf " << zipf << " items " << items);
      test::TempDir dir;
      SyntheticOptions opts;
      opts.users = 40;
      opts.items = items;
      opts.ratings_per_user = 30;
      opts.zipf = zipf;
      opts.genre_affinity = 1.0;
      const SyntheticSummary s = SyntheticGenerator(opts).write(dir.path());
      std::map<int64_t, std::set<int64_t>> items_of;
      size_t rows = 0;
      for (const auto& r : parse_ratings(test::slurp(dir.file("ratings.csv")))) {
        CHECK(items_of[r.user].insert(r.item).second);  // no repeats
        ++rows;
      }
      CHECK(static_cast<int64_t>(rows) == s.ratings);
      for (const auto& [user, set] : items_of) {
        CHECK(set.size() >= std::min<size_t>(5, static_cast<size_t>(items)));
        CHECK(set.size() <= static_cast<size_t>(items));
      }
      if (items == 3) CHECK(s.ratings == 40 * 3);
    }
  }
}

TEST_CASE("generate rejects out-of-range options naming the key", "[data]") {
  SyntheticOptions opts;
  opts.users = 0;
  CHECK_THROWS_WITH(SyntheticGenerator(opts), "synthetic.users: expected a number >= 1, found 0");
  opts = SyntheticOptions();
  opts.personal = 1.5;
  CHECK_THROWS_WITH(SyntheticGenerator(opts),
                    "synthetic.personal: expected a number in [0, 1], found 1.5");
  opts = SyntheticOptions();
  opts.genres = 65;
  CHECK_THROWS_AS(SyntheticGenerator(opts), UsageError);
  opts = SyntheticOptions();
  opts.items = 3000000000LL;
  CHECK_THROWS_WITH(SyntheticGenerator(opts),
                    "synthetic.items: expected a number <= 2147483647, found 3000000000");
}

TEST_CASE("read_dataset reads generated data back", "[data]") {
  test::TempDir dir;
  const SyntheticOptions opts = small_options();
  const SyntheticSummary s = SyntheticGenerator(opts).write(dir.path());
  const Dataset d = read_dataset(dir.path(), DataOptions{});
  CHECK(d.format == DataFormat::kMovielens);
  CHECK(d.num_users() == 300);
  CHECK(d.num_items() == 400);
  CHECK(static_cast<int64_t>(d.ratings.size()) == s.ratings);
  REQUIRE(d.user_meta.columns.size() == 3);
  CHECK(d.user_meta.columns[0].name == "age");
  CHECK(!d.user_meta.columns[0].categorical);
  CHECK(d.user_meta.columns[1].name == "gender");
  CHECK(d.user_meta.columns[1].categorical);
  CHECK(d.user_meta.columns[2].categorical);
  CHECK(d.item_meta.year[0] > 1900);
}

#include "serve/candidate_generators.h"

#include <algorithm>
#include <map>

#include <catch2/catch.hpp>

#include "core/error.h"
#include "serve/vector_source.h"
#include "serve_run_fixture.h"

using namespace towerrec;

TEST_CASE("candidate generators: recent, popular, genre and segment lists from training ratings",
          "[serve]") {
  const auto& fx = test::serve_run();
  const VectorSource src = VectorSource::open({fx.run_dir, ""});
  const RunData& run = src.run();
  const Ratings& r = run.data.ratings;
  RetrievalOptions opts;
  opts.last_n = 3;
  opts.popular = 5;
  opts.top_genres = 2;
  opts.genre_top = 4;
  opts.segment_popular = 6;
  const CandidateGenerators gen(run, opts);

  std::vector<int64_t> count(static_cast<size_t>(run.data.num_items()), 0);
  for (uint32_t row : run.train_rows) ++count[static_cast<size_t>(r.item[row])];
  // Popular: strictly by count, ties to the lower row.
  REQUIRE(gen.popular().size() == 5);
  for (size_t j = 1; j < 5; ++j) {
    const int32_t a = gen.popular()[j - 1], b = gen.popular()[j];
    CHECK((count[static_cast<size_t>(a)] > count[static_cast<size_t>(b)] ||
           (count[static_cast<size_t>(a)] == count[static_cast<size_t>(b)] && a < b)));
  }
  const int64_t max_count = *std::max_element(count.begin(), count.end());
  CHECK(count[static_cast<size_t>(gen.popular()[0])] == max_count);

  // Recent: the user's training items with the latest timestamps, latest first.
  for (int32_t u = 0; u < 20; ++u) {
    std::vector<std::pair<int64_t, int32_t>> rows;  // (timestamp, item)
    for (uint32_t row : run.train_rows)
      if (r.user[row] == u) rows.emplace_back(r.timestamp[row], r.item[row]);
    std::sort(rows.rbegin(), rows.rend());
    const int64_t n = gen.recent_end(u) - gen.recent_begin(u);
    CHECK(n == std::min<int64_t>(3, static_cast<int64_t>(rows.size())));
    for (int64_t j = 0; j < n; ++j) {
      const int32_t item = gen.recent_begin(u)[j];
      const auto it =
          std::find_if(rows.begin(), rows.end(), [&](const auto& p) { return p.second == item; });
      REQUIRE(it != rows.end());
      CHECK(it->first == rows[static_cast<size_t>(j)].first);  // same timestamp rank
    }
  }

  // Genres: every listed item carries the genre; the user's genres are their most-rated ones.
  for (size_t g = 0; g < run.data.item_meta.genre_names.size(); ++g)
    for (int32_t i : gen.genre_top(static_cast<int>(g)))
      CHECK((run.data.item_meta.genres[static_cast<size_t>(i)] >> g & 1) == 1);
  std::vector<int64_t> gcount(run.data.item_meta.genre_names.size(), 0);
  for (uint32_t row : run.train_rows)
    if (r.user[row] == 0)
      for (size_t g = 0; g < gcount.size(); ++g)
        gcount[g] += run.data.item_meta.genres[static_cast<size_t>(r.item[row])] >> g & 1;
  const std::vector<int> ug = gen.user_genres(0);
  REQUIRE(!ug.empty());
  CHECK(gcount[static_cast<size_t>(ug[0])] == *std::max_element(gcount.begin(), gcount.end()));

  // Segments: auto picks the first categorical column; the top item is the segment's most rated.
  REQUIRE(!gen.segment_column().empty());
  const int32_t seg = gen.segment_of(0);
  REQUIRE(seg >= 0);
  std::map<int32_t, int64_t> seg_count;
  for (uint32_t row : run.train_rows)
    if (gen.segment_of(r.user[row]) == seg) ++seg_count[r.item[row]];
  int64_t best = 0;
  for (const auto& [i, c] : seg_count) best = std::max(best, c);
  REQUIRE(!gen.segment_top(seg).empty());
  CHECK(seg_count[gen.segment_top(seg)[0]] == best);

  std::vector<int32_t> all;
  gen.append_static(0, all);
  CHECK(all.size() == 5 + gen.genre_top(ug[0]).size() +
                          (ug.size() > 1 ? gen.genre_top(ug[1]).size() : 0) +
                          gen.segment_top(seg).size());

  RetrievalOptions bad = opts;
  bad.segment = "shoe_size";
  CHECK_THROWS_WITH(
      CandidateGenerators(run, bad),
      Catch::StartsWith(
          "serve.retrieval.segment: expected a categorical demographic column of the data ("));
}

#include "serve/retrieval.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "serve/exact_recommender.h"
#include "serve/retrieval_report_json.h"
#include "serve/seen_items.h"
#include "serve/vector_groups.h"
#include "serve/vector_source.h"
#include "serve_run_fixture.h"
#include "test_util.h"

using namespace towerrec;

namespace {

// (user id, item id) rows of a recommendation CSV.
std::vector<std::pair<int64_t, int64_t>> rows_of(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::vector<std::pair<int64_t, int64_t>> out;
  while (std::getline(in, line)) {
    std::istringstream s(line);
    int64_t u, rank, item;
    char c;
    s >> u >> c >> rank >> c >> item;
    out.emplace_back(u, item);
  }
  return out;
}

}  // namespace

TEST_CASE("retrieval: with enough ANN candidates it is exact (recall 1), report beside the CSV",
          "[serve]") {
  const auto& fx = test::serve_run();
  const VectorSource src = VectorSource::open({fx.run_dir, ""});
  ServeOptions opts;
  opts.k = 10;
  opts.threads = 2;
  opts.retrieval.ann_candidates = 400;  // the whole catalogue
  opts.retrieval.recall_users = 0;      // every user
  opts.ann.ef_search = 400;
  test::TempDir dir;
  const RetrievalReport r =
      recommend_retrieval(src, opts, {}, dir.file("recs.csv"), dir.file("items.hnsw"));
  CHECK(r.users == 150);
  CHECK(r.recall_users == 150);
  CHECK(r.recall_at_k.value_or(0) == Approx(1.0));
  CHECK(r.recall_at_k_ids.value_or(0) == Approx(1.0));
  REQUIRE(r.index);
  CHECK(r.index->loaded == false);
  const nlohmann::json saved = nlohmann::json::parse(test::slurp(dir.file("recs.retrieval.json")));
  CHECK(saved == retrieval_report_json(r));
  CHECK(saved["users"] == 150);
  CHECK(saved["recall_users"] == 150);
  CHECK(saved["index"]["loaded"] == false);
  // Exactly the exact recommender's items.
  recommend_exact(src, opts, {}, dir.file("exact.csv"));
  CHECK(rows_of(dir.file("recs.csv")) == rows_of(dir.file("exact.csv")));

  // The saved index is reused.
  const RetrievalReport again =
      recommend_retrieval(src, opts, {}, dir.file("recs2.csv"), dir.file("items.hnsw"));
  REQUIRE(again.index);
  CHECK(again.index->loaded == true);
  CHECK(rows_of(dir.file("recs2.csv")) == rows_of(dir.file("recs.csv")));

  // An index saved for other vectors of the same shape (a retrained run) is refused, not reused.
  nlohmann::json meta = nlohmann::json::parse(test::slurp(dir.file("items.hnsw.json")));
  meta["items_fnv1a"] = "12345";
  dir.write("items.hnsw.json", meta.dump());
  try {
    recommend_retrieval(src, opts, {}, dir.file("recs3.csv"), dir.file("items.hnsw"));
    FAIL("a stale index was reused");
  } catch (const Error& e) {
    CHECK_THAT(e.what(),
               Catch::StartsWith(dir.file("items.hnsw") +
                                 ": an ANN index built from other item vectors than "
                                 "this catalogue's (items_fnv1a 12345, the catalogue's "));
  }
  CHECK_FALSE(std::filesystem::exists(dir.file("recs3.csv")));
}

TEST_CASE("retrieval: generators only (no ANN), never a seen item, recall below 1 reported",
          "[serve]") {
  const auto& fx = test::serve_run();
  const VectorSource src = VectorSource::open({fx.run_dir, ""});
  const Dataset& data = src.run().data;
  ServeOptions opts;
  opts.k = 10;
  opts.retrieval.ann = false;
  opts.retrieval.neighbors = NeighborSource::kExact;
  opts.retrieval.last_n = 2;
  opts.retrieval.per_item_m = 5;
  opts.retrieval.popular = 10;
  opts.retrieval.top_genres = 1;
  opts.retrieval.genre_top = 5;
  opts.retrieval.segment_popular = 5;
  opts.retrieval.recall_users = 50;
  test::TempDir dir;
  const RetrievalReport r = recommend_retrieval(src, opts, {}, dir.file("gen.csv"));
  CHECK(!r.index);
  CHECK(!retrieval_report_json(r).contains("index"));
  CHECK(r.recall_users == 50);
  REQUIRE(r.recall_at_k);
  const double recall = *r.recall_at_k;
  CHECK(recall > 0.0);
  CHECK(recall <= 1.0);
  CHECK(r.recall_at_k_ids.value_or(2.0) <= recall);
  CHECK(r.candidates_per_user <= 2 * 5 + 10 + 5 + 5);
  const SeenItems seen(src.run(), true);
  const auto rows = rows_of(dir.file("gen.csv"));
  CHECK(!rows.empty());
  for (const auto& [u, i] : rows) CHECK(!seen.contains(data.users.find(u), data.items.find(i)));
}

TEST_CASE("retrieval: ANN candidates include every tied duplicate, so ids match exact search",
          "[serve]") {
  // Unrated items with equal features get identical vectors; the ANN index holds each vector once
  // and expands it to all its items in index order, as the exact top-K breaks ties.
  const auto& fx = test::serve_run();
  const VectorSource src = VectorSource::open({fx.run_dir, ""});
  const std::vector<float> items = src.all_items();
  const int64_t n = src.num_items(), dim = src.dim();
  const VectorGroups groups = VectorGroups::group({items.data(), n, dim});
  REQUIRE(groups.groups() < n);  // the fixture has duplicates

  // The fixture's duplicates are unrated items that score low, so reach down the ranking far
  // enough for them to show up in top-K lists.
  ServeOptions opts;
  opts.k = 100;
  opts.retrieval.ann_candidates = 100;  // only the ANN's own top k: no slack for ties
  opts.retrieval.last_n = 0;
  opts.retrieval.top_genres = 0;
  opts.retrieval.popular = 0;
  opts.retrieval.segment_popular = 0;
  opts.retrieval.recall_users = 0;
  opts.ann.ef_search = 400;
  test::TempDir dir;
  const RetrievalReport r = recommend_retrieval(src, opts, {}, dir.file("ann.csv"));
  INFO("distinct vectors " << groups.groups() << " of " << n);
  REQUIRE(r.index);
  CHECK(r.index->distinct == groups.groups());
  CHECK(r.recall_at_k_ids.value_or(0) == Approx(1.0));
  recommend_exact(src, opts, {}, dir.file("exact.csv"));
  const auto exact = rows_of(dir.file("exact.csv"));
  CHECK(rows_of(dir.file("ann.csv")) == exact);
  // Ties do occur in these top-K lists: users get items sharing a vector.
  const Dataset& data = src.run().data;
  int64_t tied_pairs = 0;
  for (size_t i = 1; i < exact.size(); ++i)
    tied_pairs += exact[i].first == exact[i - 1].first &&
                  groups.group_of(data.items.find(exact[i].second)) ==
                      groups.group_of(data.items.find(exact[i - 1].second));
  INFO("adjacent tied pairs " << tied_pairs);
  CHECK(tied_pairs > 0);
}

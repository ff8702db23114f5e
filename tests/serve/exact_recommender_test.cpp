#include "serve/exact_recommender.h"

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include <catch2/catch.hpp>

#include "serve/seen_items.h"
#include "serve/vector_source.h"
#include "serve_run_fixture.h"
#include "test_util.h"

using namespace towerrec;

namespace {

struct Rec {
  int64_t rank, item;
  double score;
};

// user id -> recommendations in file order; checks the header.
std::map<int64_t, std::vector<Rec>> read_recs(const std::string& path,
                                              std::vector<int64_t>* order = nullptr) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  REQUIRE(line == "user_id,rank,item_id,score");
  std::map<int64_t, std::vector<Rec>> out;
  while (std::getline(in, line)) {
    std::istringstream s(line);
    int64_t u;
    Rec r;
    char c;
    s >> u >> c >> r.rank >> c >> r.item >> c >> r.score;
    if (order && (order->empty() || order->back() != u)) order->push_back(u);
    out[u].push_back(r);
  }
  return out;
}

std::vector<int32_t> seen_of(const SeenItems& seen, int32_t u) {
  return std::vector<int32_t>(seen.begin(u), seen.end(u));
}

}  // namespace

TEST_CASE("recommend (exact): equals a naive full sort, seen items excluded", "[serve]") {
  const auto& fx = test::serve_run();
  const VectorSource src = VectorSource::open({fx.run_dir, ""});
  const Dataset& data = src.run().data;
  ServeOptions opts;
  opts.k = 7;
  opts.threads = 2;
  opts.query_block = 16;  // several blocks and chunks even on this small catalogue
  opts.item_chunk = 64;
  test::TempDir dir;
  const RecommendSummary s = recommend_exact(src, opts, {}, dir.file("recs.csv"));
  CHECK(s.users == 150);
  CHECK(s.rows == 150 * 7);
  std::vector<int64_t> order;
  const auto recs = read_recs(dir.file("recs.csv"), &order);
  REQUIRE(order.size() == 150);
  for (int32_t u = 0; u < 150; ++u) CHECK(order[static_cast<size_t>(u)] == data.users.id(u));

  const std::vector<float> items = src.all_items();
  const std::vector<float> users = src.users(0, 150);
  const SeenItems seen(src.run(), true);
  int64_t seen_somewhere = 0;
  for (int32_t u = 0; u < 150; ++u) {
    const std::vector<int32_t> skip = seen_of(seen, u);
    seen_somewhere += !skip.empty();
    const auto naive = test::naive_ranking(items, 8, users.data() + u * 8, skip);
    const auto& got = recs.at(data.users.id(u));
    REQUIRE(got.size() == 7);
    for (size_t j = 0; j < 7; ++j) {
      CHECK(got[j].rank == static_cast<int64_t>(j + 1));
      CHECK(std::fabs(got[j].score - naive[j].first) < 1e-5);
      // The same item unless a float tie makes the order ambiguous.
      const bool clear = (j == 0 || naive[j - 1].first - naive[j].first > 1e-5) &&
                         (j + 1 >= naive.size() || naive[j].first - naive[j + 1].first > 1e-5);
      if (clear) CHECK(got[j].item == data.items.id(static_cast<int32_t>(naive[j].second)));
      CHECK(!seen.contains(u, data.items.find(got[j].item)));
    }
  }
  CHECK(seen_somewhere > 100);
}

TEST_CASE("recommend (exact): a user subset, an exclusion list, and seen items allowed",
          "[serve]") {
  const auto& fx = test::serve_run();
  const VectorSource src = VectorSource::open({fx.run_dir, ""});
  const Dataset& data = src.run().data;
  ServeOptions opts;
  opts.k = 5;
  test::TempDir dir;
  // exclude_seen off: user 4's ranking is the naive one over every item (seen ones included), minus
  // its top item, excluded globally.
  const auto all = test::naive_ranking(src.all_items(), 8, src.users(4, 1).data(), {});
  RecommendRequest req;
  req.users = {4, 2};
  req.excluded_items = {static_cast<int32_t>(all[0].second)};
  opts.exclude_seen = false;
  recommend_exact(src, opts, req, dir.file("a.csv"));
  std::vector<int64_t> order;
  const auto recs = read_recs(dir.file("a.csv"), &order);
  CHECK(order == std::vector<int64_t>{data.users.id(4), data.users.id(2)});
  const auto& r4 = recs.at(data.users.id(4));
  REQUIRE(r4.size() == 5);
  for (size_t j = 0; j < 5; ++j) {
    CHECK(r4[j].item != data.items.id(static_cast<int32_t>(all[0].second)));
    CHECK(r4[j].item == data.items.id(static_cast<int32_t>(all[j + 1].second)));
  }
}

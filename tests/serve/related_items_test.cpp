#include "serve/related_items.h"

#include <cmath>
#include <sstream>

#include <catch2/catch.hpp>

#include "cf/nearest_by_l2.h"
#include "serve/vector_source.h"
#include "serve_run_fixture.h"

using namespace towerrec;

TEST_CASE(
    "similar: nearest item vectors in order, never the item itself, and CF shares the routine",
    "[serve]") {
  const auto& fx = test::serve_run();
  const VectorSource src = VectorSource::open({fx.run_dir, ""});
  const Dataset& data = src.run().data;
  ServeOptions opts;
  opts.k = 4;
  std::ostringstream out;
  const std::vector<int32_t> of = {10, 0, 10};
  const RelatedSummary s = related_items(src, opts, of, out);
  CHECK(s.items == 3);
  CHECK(s.rows == 12);
  std::istringstream in(out.str());
  std::string line;
  std::getline(in, line);
  CHECK(line == "item_id,rank,similar_item_id,distance");
  const std::vector<float> v = src.all_items();
  for (size_t q = 0; q < of.size(); ++q) {
    // Reference: the CF module's nearest_by_l2 (same routine) and a brute-force distance check.
    const auto ref = nearest_by_l2(v.data(), 400, 8, of[q], 4);
    REQUIRE(ref.size() == 4);
    for (int j = 0; j < 4; ++j) {
      REQUIRE(std::getline(in, line));
      std::istringstream ls(line);
      int64_t id, rank, other;
      double dist;
      char c;
      ls >> id >> c >> rank >> c >> other >> c >> dist;
      CHECK(id == data.items.id(of[q]));
      CHECK(rank == j + 1);
      CHECK(other != id);
      CHECK(other == data.items.id(ref[static_cast<size_t>(j)].first));
      double brute = 0;
      const int32_t oi = data.items.find(other);
      for (int d = 0; d < 8; ++d) {
        const double diff = double(v[oi * 8 + d]) - v[of[q] * 8 + d];
        brute += diff * diff;
      }
      CHECK(std::fabs(dist - brute) < 1e-5);
      // Unit vectors: distance = 2 - 2 * dot, so the order is the dot product's.
      CHECK(dist <= 4.0 + 1e-6);
    }
  }
  // No other item is closer than the 4th neighbour (brute force over the catalogue).
  const auto ref = nearest_by_l2(v.data(), 400, 8, 10, 4);
  int closer = 0;
  for (int32_t i = 0; i < 400; ++i) {
    if (i == 10) continue;
    double s2 = 0;
    for (int d = 0; d < 8; ++d)
      s2 += (double(v[i * 8 + d]) - v[80 + d]) * (double(v[i * 8 + d]) - v[80 + d]);
    closer += s2 < ref[3].second - 1e-6;
  }
  CHECK(closer <= 3);
}

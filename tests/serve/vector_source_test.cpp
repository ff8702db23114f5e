#include "serve/vector_source.h"

#include <cmath>

#include <catch2/catch.hpp>

#include "core/error.h"
#include "serve_run_fixture.h"
#include "test_util.h"

using namespace towerrec;

TEST_CASE("vector source: checkpoint and exported towers give the same unit vectors", "[serve]") {
  const auto& fx = test::serve_run();
  const VectorSource ckpt = VectorSource::open({fx.run_dir, ""});
  const VectorSource towers = VectorSource::open({"", fx.towers_dir});  // run from towers.json
  REQUIRE(ckpt.num_items() == 400);
  REQUIRE(ckpt.num_users() == 150);
  REQUIRE(ckpt.dim() == 8);
  CHECK(towers.num_items() == ckpt.num_items());
  CHECK(ckpt.description() == "checkpoint " + fx.run_dir + "/model.ckpt");
  CHECK(towers.description() == "towers " + fx.towers_dir);
  const std::vector<float> a = ckpt.all_items(), b = towers.all_items();
  REQUIRE(a.size() == b.size());
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, double(std::fabs(a[i] - b[i])));
  CHECK(worst < 1e-5);
  for (int64_t i = 0; i < ckpt.num_items(); ++i) {
    double norm = 0;
    for (int64_t d = 0; d < 8; ++d) norm += double(a[i * 8 + d]) * a[i * 8 + d];
    REQUIRE(std::fabs(norm - 1) < 1e-5);
  }
  // Gathered rows equal the contiguous ones (up to GEMM rounding, which depends on the batch).
  const std::vector<float> u = ckpt.users(0, 150);
  const std::vector<float> g = ckpt.users(std::vector<int32_t>{149, 3});
  for (int64_t d = 0; d < 8; ++d) {
    CHECK(g[d] == Approx(u[149 * 8 + d]).margin(1e-6));
    CHECK(g[8 + d] == Approx(u[3 * 8 + d]).margin(1e-6));
  }
  CHECK_THROWS_WITH(ckpt.items(390, 20), "items: rows [390, 410) outside [0, 400)");
}

TEST_CASE("vector source: missing sources are clear errors", "[serve]") {
  test::TempDir dir;
  CHECK_THROWS_AS(VectorSource::open({"", ""}), UsageError);
  CHECK_THROWS_WITH(VectorSource::open({dir.path(), ""}),
                    Catch::Contains("not a run directory (no config.yaml"));
}

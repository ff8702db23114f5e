#include "serve/catalogue_embedding.h"

#include <set>

#include <catch2/catch.hpp>

#include "core/npy.h"
#include "serve/vector_source.h"
#include "serve_run_fixture.h"
#include "test_util.h"

using namespace towerrec;

TEST_CASE("embed: every item (rated or not) and every user, .npy plus ids in row order",
          "[serve]") {
  const auto& fx = test::serve_run();
  const VectorSource src = VectorSource::open({fx.run_dir, ""});
  const Dataset& data = src.run().data;
  // The fixture's catalogue has items without a training rating: they must be embedded too.
  std::set<int32_t> rated;
  for (uint32_t r : src.run().train_rows) rated.insert(data.ratings.item[r]);
  REQUIRE(static_cast<int64_t>(rated.size()) < data.num_items());

  test::TempDir dir;
  const EmbedSummary s = embed_catalogue(src, false, dir.file("items.npy"));
  CHECK(s.ids_path == dir.file("items.ids"));
  CHECK(s.rows == 400);
  CHECK(s.dim == 8);
  const NpyMatrix<float> m = read_npy_f32(dir.file("items.npy"));
  REQUIRE(m.rows == 400);
  REQUIRE(m.cols == 8);
  CHECK(m.data == src.all_items());
  const std::vector<std::string> ids = read_ids(dir.file("items.ids"), 400);
  for (int32_t i = 0; i < 400; ++i)
    REQUIRE(ids[static_cast<size_t>(i)] == std::to_string(data.items.id(i)));

  embed_catalogue(src, true, dir.file("users.npy"));
  const NpyMatrix<float> u = read_npy_f32(dir.file("users.npy"));
  CHECK(u.rows == 150);
  CHECK(u.data == src.users(0, 150));
  const std::vector<std::string> uids = read_ids(dir.file("users.ids"), 150);
  CHECK(uids.front() == std::to_string(data.users.id(0)));
  CHECK(uids.back() == std::to_string(data.users.id(149)));
}

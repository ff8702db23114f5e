#include "serve/topk_recall.h"

#include <catch2/catch.hpp>

#include <vector>

using namespace towerrec;

TEST_CASE("top-K recall: by id and tie-aware", "[serve]") {
  RecallCount r;
  // Exact keeps 5, 7, 9 (7 and 9 tied with 8 at 0.8; the exact order keeps the lower indices).
  const std::vector<int64_t> exact = {5, 7, 9};
  const std::vector<float> exact_s = {0.9f, 0.8f, 0.8f};
  // The approximate side found the tied 8 instead of 9: a miss by id, a hit by score.
  const std::vector<int64_t> got = {5, 7, 8};
  const std::vector<float> got_s = {0.9f, 0.8f, 0.8f};
  r.add(exact.data(), exact_s.data(), 3, got.data(), got_s.data(), 3);
  CHECK(r.truth == 3);
  CHECK(r.ids == 2);
  CHECK(r.ties == 3);
  // A second query: one real miss (0.5 < 0.7), one padding slot.
  const std::vector<int64_t> exact2 = {1, 2, 3};
  const std::vector<float> exact2_s = {0.9f, 0.8f, 0.7f};
  const std::vector<int64_t> got2 = {1, 4, -1};
  const std::vector<float> got2_s = {0.9f, 0.5f, -1e30f};
  r.add(exact2.data(), exact2_s.data(), 3, got2.data(), got2_s.data(), 3);
  CHECK(r.truth == 6);
  CHECK(r.ids == 3);
  CHECK(r.ties == 4);
  CHECK(r.by_id() == Approx(0.5));
  CHECK(r.tie_aware() == Approx(4.0 / 6.0));
  // Scores within the tolerance below the K-th count as tied; further below do not.
  RecallCount t;
  const std::vector<float> close = {0.9f, 0.8f, 0.8f - 5e-6f};
  t.add(exact.data(), exact_s.data(), 3, got.data(), close.data(), 3);
  CHECK(t.ties == 3);
  RecallCount far;
  const std::vector<float> below = {0.9f, 0.8f, 0.8f - 1e-3f};
  far.add(exact.data(), exact_s.data(), 3, got.data(), below.data(), 3);
  CHECK(far.ties == 2);
  CHECK(RecallCount{}.by_id() == 0.0);
}

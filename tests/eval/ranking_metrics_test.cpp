#include "eval/ranking_metrics.h"

#include <cmath>

#include <catch2/catch.hpp>

#include "core/error.h"

using namespace towerrec;

TEST_CASE("ranking metrics: top_k orders by score, ties by item index", "[eval]") {
  const std::vector<float> scores = {0.5f, 0.9f, 0.5f, 0.9f, 0.1f};
  const std::vector<int32_t> all = {0, 1, 2, 3, 4};
  CHECK(top_k(scores.data(), all, 5) == std::vector<int32_t>{1, 3, 0, 2, 4});
  CHECK(top_k(scores.data(), all, 3) == std::vector<int32_t>{1, 3, 0});
  CHECK(top_k(scores.data(), {4, 2, 0}, 2) == std::vector<int32_t>{0, 2});  // only candidates
  CHECK(top_k(scores.data(), {4, 2}, 10) == std::vector<int32_t>{2, 4});    // fewer than k
  const std::vector<float> nan_scores = {1.f, NAN};
  CHECK_THROWS_WITH(
      top_k(nan_scores.data(), {0, 1}, 1),
      "ranking: expected a score for every candidate item, found NaN for item index 1");
  CHECK(top_k(nan_scores.data(), {0}, 1) == std::vector<int32_t>{0});  // a non-candidate may be NaN
}

TEST_CASE("ranking metrics: recall and NDCG by hand", "[eval]") {
  const std::vector<int32_t> ranked = {1, 3, 0};
  // relevant {0, 4}: one hit at position 3 -> DCG 1/log2(4) = 0.5; IDCG 1 + 1/log2(3).
  CHECK(recall_at_k(ranked, {0, 4}, 3) == Approx(0.5));
  CHECK(ndcg_at_k(ranked, {0, 4}, 3) == Approx(0.5 / (1 + 1 / std::log2(3.0))));
  // cut at 2: no hit
  CHECK(recall_at_k(ranked, {0, 4}, 2) == 0);
  CHECK(ndcg_at_k(ranked, {0, 4}, 2) == 0);
  // all relevant at the top: 1
  CHECK(ndcg_at_k(ranked, {1, 3}, 3) == Approx(1));
  CHECK(recall_at_k(ranked, {1, 3}, 3) == Approx(1));
  // more relevant than k: IDCG uses k positions, recall divides by |relevant|
  CHECK(ndcg_at_k({1, 2}, {1, 2, 3, 4}, 2) == Approx(1));
  CHECK(recall_at_k({1, 2}, {1, 2, 3, 4}, 2) == Approx(0.5));
  // the order within the top k matters for NDCG, not for recall
  CHECK(ndcg_at_k({9, 1}, {1}, 2) == Approx(1 / std::log2(3.0)));
  CHECK(ndcg_at_k({1, 9}, {1}, 2) == Approx(1));
  CHECK(recall_at_k({9, 1}, {1}, 2) == recall_at_k({1, 9}, {1}, 2));
  CHECK(ndcg_at_k(ranked, {}, 3) == 0);
  CHECK(recall_at_k(ranked, {}, 3) == 0);
}

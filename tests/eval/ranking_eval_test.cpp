#include "eval/ranking_eval.h"

#include <cmath>
#include <memory>

#include <catch2/catch.hpp>

#include "data/dataset.h"
#include "data/user_items.h"

using namespace towerrec;

namespace {

// 2 users, 4 items. u0: train i0 (5); test i2 (5), i3 (3). u1: train i1 (4); test i3 (2) only.
Dataset tiny() {
  Dataset d;
  d.users.add(1);
  d.users.add(2);
  for (int64_t i : {10, 11, 12, 13}) d.items.add(i);
  d.ratings.push_back(0, 0, 5, 0);
  d.ratings.push_back(0, 2, 5, 0);
  d.ratings.push_back(0, 3, 3, 0);
  d.ratings.push_back(1, 1, 4, 0);
  d.ratings.push_back(1, 3, 2, 0);
  return d;
}

}  // namespace

TEST_CASE("ranking eval: items seen in training are not candidates", "[eval]") {
  const Dataset d = tiny();
  std::vector<std::vector<int32_t>> calls;
  // Scores 10, 9, 1, 8: unfiltered the top 3 would be i0, i1, i3 (no hit); without the seen i0 they
  // are i1, i3, i2, so the relevant i2 lands at position 3.
  const BlockScorer scorer = [&](const std::vector<int32_t>& users, float* out) {
    calls.push_back(users);
    const float s[] = {10, 9, 1, 8};
    for (size_t b = 0; b < users.size(); ++b) std::copy(s, s + 4, out + b * 4);
  };
  EvalOptions opts;
  opts.k = 3;
  RankingMetrics m = evaluate_ranking(d, {0, 3}, {1, 2, 4}, scorer, opts);
  CHECK(m.users == 1);          // u0: relevant {i2}
  CHECK(m.users_skipped == 1);  // u1: test rating 2 < 4
  CHECK(m.recall == Approx(1));
  CHECK(m.ndcg == Approx(0.5));
  CHECK(calls == std::vector<std::vector<int32_t>>{{0}});  // skipped users are never scored
  opts.k = 2;
  m = evaluate_ranking(d, {0, 3}, {1, 2, 4}, scorer, opts);
  CHECK(m.recall == 0);
  CHECK(m.ndcg == 0);
}

TEST_CASE("ranking eval: blocks of users and the relevance threshold", "[eval]") {
  const Dataset d = tiny();
  EvalOptions opts;
  opts.k = 10;
  opts.relevant_min = 2;  // now u1's i3 (2) is relevant too
  std::vector<size_t> block_sizes;
  const BlockScorer scorer = [&](const std::vector<int32_t>& users, float* out) {
    block_sizes.push_back(users.size());
    for (size_t b = 0; b < users.size(); ++b) {
      for (int i = 0; i < 4; ++i) out[b * 4 + i] = users[b] == 0 ? static_cast<float>(i) : -i;
    }
  };
  const RankingMetrics m = evaluate_ranking(d, {0, 3}, {1, 2, 4}, scorer, opts, {}, 1);
  CHECK(block_sizes == std::vector<size_t>{1, 1});
  CHECK(m.users == 2);
  CHECK(m.users_skipped == 0);
  // u0: candidates i1..i3 ranked i3, i2, i1; relevant {i2, i3} -> NDCG 1, recall 1.
  // u1: candidates i0, i2, i3 ranked i0, i2, i3; relevant {i3} at position 3 -> NDCG 0.5, recall 1.
  CHECK(m.recall == Approx(1));
  CHECK(m.ndcg == Approx(0.75));
}

TEST_CASE("ranking eval: no relevant user gives NaN metrics and zero users", "[eval]") {
  const Dataset d = tiny();
  EvalOptions opts;
  opts.relevant_min = 6;
  const RankingMetrics m =
      evaluate_ranking(d, {0, 3}, {1, 2, 4}, same_for_every_user({1, 2, 3, 4}), opts);
  CHECK(m.users == 0);
  CHECK(m.users_skipped == 2);
  CHECK(std::isnan(m.recall));
}

TEST_CASE("ranking eval: vectors through the top-K kernel rank like their dot products", "[eval]") {
  const Dataset d = tiny();
  EvalOptions opts;
  opts.k = 10;
  opts.relevant_min = 2;
  // dim 2; u0 prefers high item index, u1 low: the scores of the blocks test above.
  auto users = std::make_shared<const std::vector<float>>(std::vector<float>{1, 0, 0, 1});
  auto items =
      std::make_shared<const std::vector<float>>(std::vector<float>{0, 0, 1, -1, 2, -2, 3, -3});
  const BlockRanker ranker = rank_by_vectors(users, items, 2, 2);
  std::vector<std::vector<int32_t>> ranked;
  const UserItems seen = UserItems::from_rows(d, {0, 3});
  ranker({0, 1}, seen, 10, ranked);
  CHECK(ranked == std::vector<std::vector<int32_t>>{{3, 2, 1}, {0, 2, 3}});  // seen i0, i1 skipped
  ranker({1}, seen, 1, ranked);
  CHECK(ranked == std::vector<std::vector<int32_t>>{{0}});

  const RankingMetrics m = evaluate_ranking(d, {0, 3}, {1, 2, 4}, ranker, opts);
  CHECK(m.users == 2);
  CHECK(m.recall == Approx(1));
  CHECK(m.ndcg == Approx(0.75));

  // The same numbers through full score rows.
  const BlockScorer scorer = [&](const std::vector<int32_t>& block, float* out) {
    for (size_t b = 0; b < block.size(); ++b)
      for (int i = 0; i < 4; ++i)
        out[b * 4 + i] = (*users)[block[b] * 2] * (*items)[i * 2] +
                         (*users)[block[b] * 2 + 1] * (*items)[i * 2 + 1];
  };
  const RankingMetrics by_scores = evaluate_ranking(d, {0, 3}, {1, 2, 4}, scorer, opts);
  CHECK(by_scores.recall == m.recall);
  CHECK(by_scores.ndcg == m.ndcg);

  auto bad = std::make_shared<const std::vector<float>>(std::vector<float>{0, 0, NAN, 1});
  CHECK_THROWS_WITH(rank_by_vectors(users, bad, 2, 1),
                    "ranking: expected finite item vectors, found nan in vector 1");
}

TEST_CASE("ranking eval: one order for every user equals scoring every user", "[eval]") {
  const Dataset d = tiny();
  const UserItems seen = UserItems::from_rows(d, {0, 3});
  const std::vector<float> scores = {2, 7, 7, 1};  // a tie: i1 before i2
  std::vector<std::vector<int32_t>> fixed, full;
  for (int64_t k : {1, 2, 3, 10}) {
    rank_fixed_order(scores)({0, 1}, seen, k, fixed);
    rank_by_scores(same_for_every_user(scores), 4)({0, 1}, seen, k, full);
    CHECK(fixed == full);
  }
  CHECK(fixed == std::vector<std::vector<int32_t>>{{1, 2, 3}, {2, 0, 3}});
  CHECK_THROWS_WITH(
      rank_fixed_order({1, NAN}),
      "ranking: expected a score for every candidate item, found NaN for item index 1");
}

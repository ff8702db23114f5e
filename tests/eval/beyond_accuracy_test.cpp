#include "eval/beyond_accuracy.h"

#include <cmath>

#include <catch2/catch.hpp>

#include "data/dataset.h"
#include "eval/ranking_eval.h"

using namespace towerrec;

namespace {

// 5 items with training counts 4, 2, 1, 1, 0 (8 ratings); 2-d vectors i0 (1,0), i1 (1,1), i2 (0,1),
// i3 (0,0), i4 (2,0). Three users' top-2 lists: [i0, i1], [i0, i2], [i0, i1].
const std::vector<int64_t> kCounts = {4, 2, 1, 1, 0};
ItemVectors toy_vectors() { return {"toy", 2, {1, 0, 1, 1, 0, 1, 0, 0, 2, 0}}; }

}  // namespace

TEST_CASE("beyond accuracy: hand-computed 3 users x 5 items", "[eval]") {
  const ItemVectors v = toy_vectors();
  BeyondAccuracyTally t(kCounts, 8, &v);
  t.add({0, 1});
  t.add({0, 2});
  t.add({0, 1});
  const BeyondAccuracy b = t.finish();
  CHECK(b.lists == 3);
  // i0, i1, i2 of 5 items recommended.
  CHECK(*b.coverage == Approx(3.0 / 5));
  // Counts 3, 2, 1, 0, 0 sorted 0, 0, 1, 2, 3: Σ(2i − 6)c = 0 + 0 + 0·1 + 2·2 + 4·3 = 16; / (5·6).
  CHECK(*b.gini == Approx(16.0 / 30));
  // Training counts of the six entries: 4 2 4 1 4 2.
  CHECK(*b.avg_popularity == Approx(17.0 / 6));
  // −log2(count/8): i0 1 bit, i1 2 bits, i2 3 bits; entries 1 2 1 3 1 2.
  CHECK(*b.novelty == Approx(10.0 / 6));
  // cos(i0, i1) = 1/√2, cos(i0, i2) = 0: lists 1 − 1/√2, 1, 1 − 1/√2.
  CHECK(*b.diversity == Approx((3 - std::sqrt(2.0)) / 3));
  CHECK(b.diversity_vectors == "toy");
}

TEST_CASE("beyond accuracy: extremes and edge cases", "[eval]") {
  // One item takes every slot: Gini (n − 1)/n, coverage 1/n.
  CHECK(*gini_index({0, 0, 0, 0, 6}) == Approx(0.8));
  CHECK(*gini_index({2, 2, 2}) == Approx(0.0));
  CHECK_FALSE(gini_index({0, 0}).has_value());
  CHECK_FALSE(gini_index({}).has_value());

  const ItemVectors v = toy_vectors();
  BeyondAccuracyTally t(kCounts, 8, &v);
  // i4 has no training rating: counted as rated once (3 bits), so novelty stays finite. i3 is a
  // zero vector: cosine 0 with anything.
  t.add({4, 3});
  t.add({4});  // a list of one has no pairs: no diversity term
  BeyondAccuracy b = t.finish();
  CHECK(*b.novelty == Approx((3 + 3 + 3) / 3.0));
  CHECK(*b.avg_popularity == Approx((0 + 1 + 0) / 3.0));
  CHECK(*b.diversity == Approx(1.0));
  CHECK(*b.coverage == Approx(2.0 / 5));

  // No vectors: everything but diversity.
  BeyondAccuracyTally plain(kCounts, 8, nullptr);
  plain.add({0, 1});
  b = plain.finish();
  CHECK(b.coverage.has_value());
  CHECK_FALSE(b.diversity.has_value());
  CHECK(b.diversity_vectors.empty());

  // Nothing added: nothing to report.
  CHECK_FALSE(BeyondAccuracyTally(kCounts, 8, &v).finish().coverage.has_value());
}

TEST_CASE("beyond accuracy: shard tallies add up to the whole", "[eval]") {
  const ItemVectors v = toy_vectors();
  BeyondAccuracyTally whole(kCounts, 8, &v), a(kCounts, 8, &v), b(kCounts, 8, &v);
  for (const auto& list : {std::vector<int32_t>{0, 1}, {0, 2}, {0, 1}}) whole.add(list);
  a.add({0, 1});
  b.add({0, 2});
  b.add({0, 1});
  std::vector<double> sum = a.flat();
  const std::vector<double> other = b.flat();
  for (size_t i = 0; i < sum.size(); ++i) sum[i] += other[i];
  a.from_flat(sum);
  const BeyondAccuracy x = a.finish(), y = whole.finish();
  CHECK(*x.coverage == *y.coverage);
  CHECK(*x.gini == *y.gini);
  CHECK(*x.avg_popularity == *y.avg_popularity);
  CHECK(*x.novelty == *y.novelty);
  CHECK(*x.diversity == Approx(*y.diversity));
}

TEST_CASE("beyond accuracy: genre vectors and the ranking evaluation's lists", "[eval]") {
  Dataset d;
  d.users.add(1);
  d.users.add(2);
  for (int64_t i : {10, 11, 12, 13}) d.items.add(i);
  d.item_meta.genre_names = {"Action", "Drama"};
  d.item_meta.genres = {0b01, 0b11, 0b10, 0b00};
  d.ratings.push_back(0, 0, 5, 0);
  d.ratings.push_back(0, 2, 5, 0);
  d.ratings.push_back(0, 3, 3, 0);
  d.ratings.push_back(1, 1, 4, 0);
  d.ratings.push_back(1, 3, 2, 0);
  const ItemVectors g = genre_vectors(d);
  CHECK(g.name == "genres");
  CHECK(g.data == std::vector<float>{1, 0, 1, 1, 0, 1, 0, 0});

  // Train rows 0 (u0 i0) and 3 (u1 i1); only u0 has a relevant test item. Scores 10, 9, 1, 8 with
  // i0 seen: u0's top-3 is i1, i3, i2.
  const BlockScorer scorer = [](const std::vector<int32_t>& users, float* out) {
    const float s[] = {10, 9, 1, 8};
    for (size_t b = 0; b < users.size(); ++b) std::copy(s, s + 4, out + b * 4);
  };
  EvalOptions opts;
  opts.k = 3;
  const RankingMetrics m = evaluate_ranking(d, {0, 3}, {1, 2, 4}, scorer, opts);
  CHECK(m.beyond.lists == 1);
  CHECK(*m.beyond.coverage == Approx(0.75));
  // Counts 0, 1, 1, 1: Σ(2i − 5)c = −1 + 1 + 3 = 3; / (4·3).
  CHECK(*m.beyond.gini == Approx(0.25));
  // Training counts: i1 1, i3 0, i2 0 of 2 ratings; every item's share counts as 1/2: 1 bit.
  CHECK(*m.beyond.avg_popularity == Approx(1.0 / 3));
  CHECK(*m.beyond.novelty == Approx(1.0));
  // Genres: cos(i1, i3) = 0 (i3 has none), cos(i1, i2) = 1/√2, cos(i3, i2) = 0.
  CHECK(*m.beyond.diversity == Approx(1 - (1 / std::sqrt(2.0)) / 3));
  CHECK(m.beyond.diversity_vectors == "genres");

  // Vectors passed in win over genres.
  const ItemVectors own{"item vectors", 1, {1, 1, 1, 1}};
  const RankingMetrics mv = evaluate_ranking(d, {0, 3}, {1, 2, 4}, scorer, opts, {}, 256, &own);
  CHECK(*mv.beyond.diversity == Approx(0.0));
  CHECK(mv.beyond.diversity_vectors == "item vectors");
}

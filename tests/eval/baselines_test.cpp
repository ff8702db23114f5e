#include "eval/baselines.h"

#include <cmath>

#include <catch2/catch.hpp>

#include "features/toy_dataset.h"

using namespace towerrec;

TEST_CASE("baselines: RMSE, MAE and ranking on the toy dataset", "[eval]") {
  // Training mean 3.6. Test rows: (u0, i2, 1) and the cold (u2, i3, 5). u0's mean 3, i2's mean 2.
  const Dataset d = test::toy_dataset();
  RankingMetrics rk;
  const std::vector<ComparisonRow> rows =
      evaluate_baselines(d, test::toy_train(), test::toy_test(), EvalOptions{}, &rk);
  REQUIRE(rows.size() == 5);
  CHECK(rows[0].model == "global_mean");
  CHECK(*rows[0].test_rmse == Approx(std::sqrt((2.6 * 2.6 + 1.4 * 1.4) / 2)));
  CHECK(*rows[0].test_mae == Approx(2.0));
  CHECK_FALSE(rows[0].recall_at_k);
  CHECK_FALSE(rows[0].ndcg_at_k);
  CHECK(rows[1].model == "user_mean");
  CHECK(*rows[1].test_rmse == Approx(std::sqrt((2.0 * 2.0 + 1.4 * 1.4) / 2)));
  CHECK(*rows[1].test_mae == Approx(1.7));
  CHECK_FALSE(rows[1].ndcg_at_k);
  CHECK(rows[2].model == "item_mean");
  CHECK(*rows[2].test_rmse == Approx(std::sqrt((1.0 + 1.4 * 1.4) / 2)));
  CHECK(*rows[2].test_mae == Approx(1.2));
  // Ranking: u0's only test rating (1) is not relevant -> skipped; u2 (no training ratings) has the
  // relevant i3. Item means 4.5, 3.5, 2, 3.6 put i3 second; counts 2, 2, 1, 0 put it fourth.
  CHECK(rk.users == 1);
  CHECK(rk.users_skipped == 1);
  CHECK(*rows[2].recall_at_k == Approx(1));
  CHECK(*rows[2].ndcg_at_k == Approx(1 / std::log2(3.0)));
  CHECK(rows[3].model == "popularity");
  CHECK(*rows[3].test_rmse == *rows[2].test_rmse);
  CHECK(*rows[3].recall_at_k == Approx(1));
  CHECK(*rows[3].ndcg_at_k == Approx(1 / std::log2(5.0)));
  // EASE^R: u2 rated nothing in training, so every score is 0 and the list is catalogue order.
  CHECK(rows[4].model == "ease");
  CHECK_FALSE(rows[4].test_rmse);
  CHECK(*rows[4].recall_at_k == Approx(1));
  CHECK(*rows[4].ndcg_at_k == Approx(1 / std::log2(5.0)));
  // Beyond accuracy: u2's top-10 is the whole 4-item catalogue; the toy data has genres.
  CHECK(*rows[3].coverage == Approx(1));
  CHECK(*rows[3].gini == Approx(0));
  CHECK(rows[3].diversity_vectors == "genres");
  CHECK_FALSE(rows[0].coverage);
  for (const auto& r : rows) CHECK(*r.train_seconds >= 0);

  EvalOptions k2;
  k2.k = 2;
  const std::vector<ComparisonRow> cut =
      evaluate_baselines(d, test::toy_train(), test::toy_test(), k2);
  CHECK(*cut[2].recall_at_k == Approx(1));
  CHECK(*cut[3].recall_at_k == 0);
}

#include "eval/comparison.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "features/toy_dataset.h"

using namespace towerrec;

namespace {

ComparisonTable sample() {
  ComparisonTable t;
  t.k = 10;
  t.ranking_users = 580;
  t.ranking_users_skipped = 30;
  t.rows.push_back({"two_tower", 0.91234, 0.70111, 0.05, 0.0625, 12.345});
  t.rows.push_back({"global_mean", 1.04, 0.83, std::nullopt, std::nullopt, 0.001});
  return t;
}

}  // namespace

TEST_CASE("comparison: JSON keys, nulls and round trip", "[eval]") {
  const nlohmann::json j = sample().to_json();
  CHECK(j["k"] == 10);
  CHECK(j["ranking_users"] == 580);
  CHECK(j["rows"][0]["model"] == "two_tower");
  CHECK(j["rows"][0]["recall_at_10"].get<double>() == Approx(0.05));
  CHECK(j["rows"][0]["ndcg_at_10"].get<double>() == Approx(0.0625));
  CHECK(j["rows"][1]["recall_at_10"].is_null());
  CHECK(j["rows"][1]["train_seconds"].get<double>() == Approx(0.001));
  const ComparisonTable t = ComparisonTable::from_json(nlohmann::json::parse(j.dump()));
  CHECK(t.to_json() == j);
  CHECK_THROWS_WITH(ComparisonTable::from_json({{"k", 10}}),
                    "comparison table: key 'relevant_min': expected a number, found no such key");
}

TEST_CASE("comparison: Markdown table", "[eval]") {
  CHECK(sample().to_markdown() ==
        "| model | test RMSE | test MAE | Recall@10 | NDCG@10 | train s |\n"
        "|:--|--:|--:|--:|--:|--:|\n"
        "| two_tower | 0.9123 | 0.7011 | 0.0500 | 0.0625 | 12.35 |\n"
        "| global_mean | 1.0400 | 0.8300 | — | — | 0.00 |\n"
        "\n"
        "Recall@10 and NDCG@10: mean over 580 users with a test rating >= 4 (30 users skipped: no "
        "such rating); candidates are the items a user did not rate in training.\n");
  const nlohmann::json wrapped = {{"comparison", sample().to_json()}, {"epochs", 3}};
  CHECK(metrics_table_markdown(wrapped) == sample().to_markdown());
  CHECK(metrics_table_markdown(sample().to_json()) == sample().to_markdown());
  CHECK_THROWS_AS(metrics_table_markdown(nlohmann::json::object()), Error);
}

TEST_CASE("comparison: evaluate_model with predictions and a scorer", "[eval]") {
  const Dataset d = test::toy_dataset();
  RankingMetrics rk;
  // Predict the truth exactly; score i3 highest -> u2's relevant i3 first.
  const ComparisonRow row =
      evaluate_model("oracle", d, test::toy_train(), test::toy_test(), {1.f, 5.f},
                     rank_fixed_order({0, 0, 0, 1}), EvalOptions{}, 2.5, &rk);
  CHECK(row.model == "oracle");
  CHECK(*row.test_rmse == 0);
  CHECK(*row.test_mae == 0);
  CHECK(*row.recall_at_k == 1);
  CHECK(*row.ndcg_at_k == 1);
  CHECK(*row.train_seconds == 2.5);
  CHECK(rk.users == 1);
  const ComparisonRow no_rank =
      evaluate_model("cf", d, test::toy_train(), test::toy_test(), {}, {}, EvalOptions{}, {});
  CHECK_FALSE(no_rank.test_rmse);
  CHECK_FALSE(no_rank.recall_at_k);
  CHECK_FALSE(no_rank.train_seconds);
}

#include "eval/comparison.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "features/toy_dataset.h"

using namespace towerrec;

namespace {

ComparisonRow row(const std::string& model, std::optional<double> rmse, std::optional<double> mae,
                  std::optional<double> recall, std::optional<double> ndcg,
                  std::optional<double> seconds) {
  ComparisonRow r;
  r.model = model;
  r.test_rmse = rmse;
  r.test_mae = mae;
  r.recall_at_k = recall;
  r.ndcg_at_k = ndcg;
  r.train_seconds = seconds;
  return r;
}

ComparisonTable sample() {
  ComparisonTable t;
  t.k = 10;
  t.ranking_users = 580;
  t.ranking_users_skipped = 30;
  t.rows.push_back(row("two_tower", 0.91234, 0.70111, 0.05, 0.0625, 12.345));
  t.rows.push_back(row("global_mean", 1.04, 0.83, std::nullopt, std::nullopt, 0.001));
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

TEST_CASE("comparison: beyond-accuracy keys, notes and their Markdown table", "[eval]") {
  ComparisonTable t = sample();
  ComparisonRow& tt = t.rows[0];
  tt.coverage = 0.125;
  tt.gini = 0.9;
  tt.avg_popularity = 80.25;
  tt.novelty = 9.5;
  tt.diversity = 0.75;
  tt.diversity_vectors = "item vectors";
  ComparisonRow ease;
  ease.model = "ease";
  ease.note = "skipped: too many items";
  t.rows.push_back(ease);
  const nlohmann::json j = t.to_json();
  CHECK(j["rows"][0]["coverage_at_10"].get<double>() == 0.125);
  CHECK(j["rows"][0]["gini_at_10"].get<double>() == 0.9);
  CHECK(j["rows"][0]["avg_popularity_at_10"].get<double>() == 80.25);
  CHECK(j["rows"][0]["novelty_at_10"].get<double>() == 9.5);
  CHECK(j["rows"][0]["diversity_at_10"].get<double>() == 0.75);
  CHECK(j["rows"][0]["diversity_vectors"] == "item vectors");
  CHECK(j["rows"][1]["coverage_at_10"].is_null());
  CHECK(j["rows"][2]["note"] == "skipped: too many items");
  CHECK(ComparisonTable::from_json(j).to_json() == j);
  // Tables written before these keys existed still read.
  nlohmann::json old = sample().to_json();
  for (auto& row : old["rows"])
    for (const char* key : {"coverage_at_10", "gini_at_10", "avg_popularity_at_10", "novelty_at_10",
                            "diversity_at_10", "diversity_vectors", "note"})
      row.erase(key);
  CHECK(ComparisonTable::from_json(old).to_json() == sample().to_json());

  const std::string md = t.to_markdown();
  CHECK_THAT(md, Catch::Contains("| model | coverage@10 | Gini@10 | popularity | novelty | "
                                 "diversity |\n|:--|--:|--:|--:|--:|--:|\n"
                                 "| two_tower | 0.1250 | 0.9000 | 80.2 | 9.500 | 0.7500 (item "
                                 "vectors) |\n"));
  CHECK_THAT(md, Catch::EndsWith("\nNotes:\n- ease: skipped: too many items\n"));
  CHECK_THAT(md, Catch::Contains("| ease | — | — | — | — | — |\n"));
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

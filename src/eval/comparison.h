// The comparison table: one row per model (the trained one and the baselines) on the same split, as
// JSON (metrics.json) and Markdown (the CLI's table).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "config/options.h"
#include "eval/ranking_eval.h"

namespace towerrec {

struct Dataset;

// A metric that does not apply to a model (ranking by a constant, RMSE of a binary model) is
// nullopt and appears as JSON null and "—" in Markdown.
struct ComparisonRow {
  std::string model;
  std::optional<double> test_rmse;      // stars
  std::optional<double> test_mae;       // stars
  std::optional<double> recall_at_k;    // JSON key "recall_at_<k>"
  std::optional<double> ndcg_at_k;      // JSON key "ndcg_at_<k>"
  std::optional<double> train_seconds;  // wall-clock fitting time
  // Beyond accuracy (eval/beyond_accuracy.h) of the same top-K lists; JSON keys "<name>_at_<k>".
  std::optional<double> coverage;        // "coverage_at_<k>"
  std::optional<double> gini;            // "gini_at_<k>"
  std::optional<double> avg_popularity;  // "avg_popularity_at_<k>" (training ratings per item)
  std::optional<double> novelty;         // "novelty_at_<k>" (bits)
  std::optional<double> diversity;       // "diversity_at_<k>"
  std::string diversity_vectors;         // "diversity_vectors": "item vectors", "genres" or ""
  std::string note;                      // "note": why the row has no figures (e.g. skipped)

  // This row as ComparisonTable::to_json writes it, metrics at cut-off k.
  nlohmann::json to_json(int64_t k) const;
};

struct ComparisonTable {
  int64_t k = 10;
  double relevant_min = 4.0;
  int64_t ranking_users = 0;          // users with a relevant test item (the same for every model)
  int64_t ranking_users_skipped = 0;  // users with test ratings but none relevant
  std::vector<ComparisonRow> rows;

  // {"k": 10, "relevant_min": 4, "ranking_users": N, "ranking_users_skipped": M,
  //  "rows": [{"model": "two_tower", "test_rmse": 0.91, "test_mae": 0.71, "recall_at_10": 0.05,
  //            "ndcg_at_10": 0.06, "train_seconds": 12.5, "coverage_at_10": 0.12, "gini_at_10":
  //            0.9, "avg_popularity_at_10": 80.1, "novelty_at_10": 9.8, "diversity_at_10": 0.7,
  //            "diversity_vectors": "item vectors", "note": ""}, ...]}
  // Tables written before the beyond-accuracy keys existed read back with those fields nullopt.
  nlohmann::json to_json() const;
  // Throws Error naming the key on a malformed table.
  static ComparisonTable from_json(const nlohmann::json& j);
  // A GitHub-flavoured Markdown table (4 decimals, seconds with 2), a line saying over which
  // users the ranking metrics were averaged, the beyond-accuracy table and the rows' notes.
  std::string to_markdown() const;
};

// The CLI's table for a metrics.json: `j` is either a ComparisonTable's JSON or an object holding
// one under "comparison". Throws Error when neither.
std::string metrics_table_markdown(const nlohmann::json& j);

// Evaluates one model on the split: RMSE/MAE of `test_predictions` (stars, parallel to `test_rows`;
// empty = not applicable) and, when `ranker` is set, Recall@K/NDCG@K and the beyond-accuracy
// metrics (diversity over `vectors`, or genres when null). `ranking` (optional) receives the
// ranking result, e.g. to fill the table's user counts.
ComparisonRow evaluate_model(const std::string& name, const Dataset& data,
                             const std::vector<uint32_t>& train_rows,
                             const std::vector<uint32_t>& test_rows,
                             const std::vector<float>& test_predictions, const BlockRanker& ranker,
                             const EvalOptions& opts, std::optional<double> train_seconds,
                             RankingMetrics* ranking = nullptr, const ProgressFn& progress = {},
                             const ItemVectors* vectors = nullptr);

// Copies the ranking figures of `rk` (Recall@K, NDCG@K, beyond accuracy) into `row` when it
// evaluated at least one user.
void set_ranking(ComparisonRow& row, const RankingMetrics& rk);

}  // namespace towerrec

#include "eval/comparison.h"

#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "data/dataset.h"
#include "eval/rating_metrics.h"

namespace towerrec {

namespace {

nlohmann::json json_or_null(const std::optional<double>& v) {
  // NaN (e.g. a ranking with no users) is as good as absent.
  return v && std::isfinite(*v) ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

std::optional<double> opt_from(const nlohmann::json& row, const std::string& key) {
  if (!row.contains(key) || row[key].is_null()) return std::nullopt;
  if (!row[key].is_number()) {
    throw Error("comparison table: key '" + key + "': expected a number or null, found " +
                quote_found(row[key].dump()));
  }
  return row[key].get<double>();
}

std::string cell(const std::optional<double>& v, const char* fmt) {
  if (!v || !std::isfinite(*v)) return "—";
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, *v);
  return buf;
}

const nlohmann::json& require(const nlohmann::json& j, const char* key,
                              bool (nlohmann::json::*is)() const, const char* expected) {
  if (!j.is_object() || !j.contains(key) || !(j[key].*is)()) {
    throw Error(std::string("comparison table: key '") + key + "': expected " + expected +
                ", found " +
                (j.is_object() && j.contains(key) ? quote_found(j[key].dump()) : "no such key"));
  }
  return j[key];
}

std::string string_or_empty(const nlohmann::json& row, const char* key) {
  if (!row.contains(key) || row[key].is_null()) return "";
  if (!row[key].is_string()) {
    throw Error(std::string("comparison table: key '") + key + "': expected a string, found " +
                quote_found(row[key].dump()));
  }
  return row[key].get<std::string>();
}

}  // namespace

nlohmann::json ComparisonRow::to_json(int64_t k) const {
  const std::string ks = std::to_string(k);
  nlohmann::json row;
  row["model"] = model;
  row["test_rmse"] = json_or_null(test_rmse);
  row["test_mae"] = json_or_null(test_mae);
  row["recall_at_" + ks] = json_or_null(recall_at_k);
  row["ndcg_at_" + ks] = json_or_null(ndcg_at_k);
  row["train_seconds"] = json_or_null(train_seconds);
  row["coverage_at_" + ks] = json_or_null(coverage);
  row["gini_at_" + ks] = json_or_null(gini);
  row["avg_popularity_at_" + ks] = json_or_null(avg_popularity);
  row["novelty_at_" + ks] = json_or_null(novelty);
  row["diversity_at_" + ks] = json_or_null(diversity);
  row["diversity_vectors"] = diversity_vectors;
  row["note"] = note;
  return row;
}

nlohmann::json ComparisonTable::to_json() const {
  nlohmann::json out = {{"k", k},
                        {"relevant_min", relevant_min},
                        {"ranking_users", ranking_users},
                        {"ranking_users_skipped", ranking_users_skipped},
                        {"rows", nlohmann::json::array()}};
  for (const ComparisonRow& r : rows) out["rows"].push_back(r.to_json(k));
  return out;
}

ComparisonTable ComparisonTable::from_json(const nlohmann::json& j) {
  ComparisonTable t;
  t.k = require(j, "k", &nlohmann::json::is_number_integer, "an integer").get<int64_t>();
  t.relevant_min = require(j, "relevant_min", &nlohmann::json::is_number, "a number").get<double>();
  t.ranking_users =
      require(j, "ranking_users", &nlohmann::json::is_number_integer, "an integer").get<int64_t>();
  t.ranking_users_skipped =
      require(j, "ranking_users_skipped", &nlohmann::json::is_number_integer, "an integer")
          .get<int64_t>();
  const std::string ks = std::to_string(t.k);
  for (const auto& row : require(j, "rows", &nlohmann::json::is_array, "an array")) {
    ComparisonRow r;
    r.model = require(row, "model", &nlohmann::json::is_string, "a string").get<std::string>();
    r.test_rmse = opt_from(row, "test_rmse");
    r.test_mae = opt_from(row, "test_mae");
    r.recall_at_k = opt_from(row, "recall_at_" + ks);
    r.ndcg_at_k = opt_from(row, "ndcg_at_" + ks);
    r.train_seconds = opt_from(row, "train_seconds");
    r.coverage = opt_from(row, "coverage_at_" + ks);
    r.gini = opt_from(row, "gini_at_" + ks);
    r.avg_popularity = opt_from(row, "avg_popularity_at_" + ks);
    r.novelty = opt_from(row, "novelty_at_" + ks);
    r.diversity = opt_from(row, "diversity_at_" + ks);
    r.diversity_vectors = string_or_empty(row, "diversity_vectors");
    r.note = string_or_empty(row, "note");
    t.rows.push_back(std::move(r));
  }
  return t;
}

std::string ComparisonTable::to_markdown() const {
  const std::string ks = std::to_string(k);
  std::string md =
      "| model | test RMSE | test MAE | Recall@" + ks + " | NDCG@" + ks + " | train s |\n";
  md += "|:--|--:|--:|--:|--:|--:|\n";
  for (const ComparisonRow& r : rows) {
    md += "| " + r.model + " | " + cell(r.test_rmse, "%.4f") + " | " + cell(r.test_mae, "%.4f") +
          " | " + cell(r.recall_at_k, "%.4f") + " | " + cell(r.ndcg_at_k, "%.4f") + " | " +
          cell(r.train_seconds, "%.2f") + " |\n";
  }
  char rel[32];
  std::snprintf(rel, sizeof rel, "%g", relevant_min);
  md += "\nRecall@" + ks + " and NDCG@" + ks + ": mean over " + std::to_string(ranking_users) +
        " users with a test rating >= " + rel + " (" + std::to_string(ranking_users_skipped) +
        " users skipped: no such rating); candidates are the items a user did not rate in "
        "training.\n";
  std::string beyond;
  for (const ComparisonRow& r : rows) {
    if (!r.coverage) continue;  // no ranking: nothing beyond accuracy either
    std::string div = cell(r.diversity, "%.4f");
    if (r.diversity && !r.diversity_vectors.empty()) div += " (" + r.diversity_vectors + ")";
    beyond += "| " + r.model + " | " + cell(r.coverage, "%.4f") + " | " + cell(r.gini, "%.4f") +
              " | " + cell(r.avg_popularity, "%.1f") + " | " + cell(r.novelty, "%.3f") + " | " +
              div + " |\n";
  }
  if (!beyond.empty()) {
    md += "\nBeyond accuracy of the same top-" + ks +
          " lists: coverage (share of the catalogue recommended to anyone), Gini of the items' "
          "recommendation counts (0 = even, 1 = one item everywhere), popularity (mean training "
          "ratings of a recommended item), novelty (mean -log2 of its share of training ratings, "
          "bits), diversity (1 - mean pairwise cosine within a list, over the vectors named).\n\n"
          "| model | coverage@" +
          ks + " | Gini@" + ks +
          " | popularity | novelty | diversity |\n|:--|--:|--:|--:|--:|--:|\n" + beyond;
  }
  std::string notes;
  for (const ComparisonRow& r : rows)
    if (!r.note.empty()) notes += "- " + r.model + ": " + r.note + "\n";
  if (!notes.empty()) md += "\nNotes:\n" + notes;
  return md;
}

std::string metrics_table_markdown(const nlohmann::json& j) {
  if (j.is_object() && j.contains("rows")) return ComparisonTable::from_json(j).to_markdown();
  if (j.is_object() && j.contains("comparison")) {
    return ComparisonTable::from_json(j["comparison"]).to_markdown();
  }
  throw Error(
      "metrics: expected a comparison table (key 'rows') or an object with key 'comparison', "
      "found neither");
}

ComparisonRow evaluate_model(const std::string& name, const Dataset& data,
                             const std::vector<uint32_t>& train_rows,
                             const std::vector<uint32_t>& test_rows,
                             const std::vector<float>& test_predictions, const BlockRanker& ranker,
                             const EvalOptions& opts, std::optional<double> train_seconds,
                             RankingMetrics* ranking, const ProgressFn& progress,
                             const ItemVectors* vectors) {
  ComparisonRow row;
  row.model = name;
  row.train_seconds = train_seconds;
  if (!test_predictions.empty()) {
    const RatingMetrics rm = rating_metrics(data, test_rows, test_predictions);
    row.test_rmse = rm.rmse;
    row.test_mae = rm.mae;
  }
  if (ranker) {
    const RankingMetrics rk =
        evaluate_ranking(data, train_rows, test_rows, ranker, opts, progress, 256, vectors);
    set_ranking(row, rk);
    if (ranking) *ranking = rk;
  }
  return row;
}

void set_ranking(ComparisonRow& row, const RankingMetrics& rk) {
  if (rk.users <= 0) return;
  row.recall_at_k = rk.recall;
  row.ndcg_at_k = rk.ndcg;
  row.coverage = rk.beyond.coverage;
  row.gini = rk.beyond.gini;
  row.avg_popularity = rk.beyond.avg_popularity;
  row.novelty = rk.beyond.novelty;
  row.diversity = rk.beyond.diversity;
  row.diversity_vectors = rk.beyond.diversity_vectors;
}

}  // namespace towerrec

#include "eval/run_metrics_json.h"

#include <cstdint>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace towerrec {
namespace {

using json = nlohmann::json;

// The model's figures at the top level: null when absent (NaN stays a number, dumped as null).
json number_or_null(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

[[noreturn]] void malformed_key(const std::string& where, const std::string& key,
                                const std::string& expected, const json& j) {
  throw Error(where + ": key '" + key + "': expected " + expected + ", found " +
              (j.is_object() && j.contains(key) ? quote_found(j[key].dump()) : "no such key"));
}

int64_t integer_at(const json& j, const std::string& key, const std::string& where) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number_integer())
    malformed_key(where, key, "an integer", j);
  return j[key].get<int64_t>();
}

// A number, or null for a NaN written as null; absent: nullopt.
std::optional<double> number_at(const json& j, const std::string& key, const std::string& where) {
  if (!j.contains(key)) return std::nullopt;
  if (j[key].is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (!j[key].is_number()) malformed_key(where, key, "a number or null", j);
  return j[key].get<double>();
}

}  // namespace

json epoch_summary_json(const EpochSummary& s) {
  return {{"best_epoch", s.best_epoch},
          {"epochs_run", s.epochs_run},
          {"stopped_early", s.stopped_early}};
}

EpochSummary epoch_summary_from_json(const json& j, const std::string& where) {
  EpochSummary s;
  s.best_epoch = integer_at(j, "best_epoch", where);
  s.epochs_run = integer_at(j, "epochs_run", where);
  if (!j.contains("stopped_early") || !j["stopped_early"].is_boolean())
    malformed_key(where, "stopped_early", "true or false", j);
  s.stopped_early = j["stopped_early"].get<bool>();
  return s;
}

json run_metrics_json(const RunMetrics& m) {
  const ComparisonTable& table = m.comparison;
  const ComparisonRow& mine = m.model();
  const std::string k = std::to_string(table.k);
  json out;
  out["model"] = mine.model;
  out["test_rmse"] = number_or_null(mine.test_rmse);
  out["test_mae"] = number_or_null(mine.test_mae);
  out["recall_at_" + k] = number_or_null(mine.recall_at_k);
  out["ndcg_at_" + k] = number_or_null(mine.ndcg_at_k);
  if (m.test_mse_scaled) out["test_mse_scaled"] = *m.test_mse_scaled;
  if (m.test_auc) out["test_auc"] = *m.test_auc;
  if (m.test_log_loss) out["test_log_loss"] = *m.test_log_loss;
  if (m.train_seconds) out["train_seconds"] = *m.train_seconds;
  out["split"] = m.split;
  out["n_train"] = m.n_train;
  out["n_validation"] = m.n_validation;
  out["n_test"] = m.n_test;
  json baselines = json::object();
  for (size_t r = 1; r < table.rows.size(); ++r) {
    json b = table.rows[r].to_json(table.k);
    b.erase("model");
    baselines[table.rows[r].model] = std::move(b);
  }
  out["baselines"] = std::move(baselines);
  out["comparison"] = table.to_json();
  const TrainingSummary& t = m.training;
  if (t.epochs) {
    out["best_epoch"] = t.epochs->best_epoch;
    out["epochs_run"] = t.epochs->epochs_run;
    out["stopped_early"] = t.epochs->stopped_early;
  }
  if (t.rating_towers) out["rating_towers"] = epoch_summary_json(*t.rating_towers);
  if (t.resumed_from_epoch) out["resumed_from_epoch"] = *t.resumed_from_epoch;
  if (t.iterations) out["iterations"] = *t.iterations;
  return out;
}

RunMetrics run_metrics_from_json(const json& j, const std::string& path) {
  if (!j.is_object()) throw Error(path + ": expected a JSON object (metrics.json)");
  if (!j.contains("comparison")) malformed_key(path, "comparison", "a comparison table", j);
  RunMetrics m;
  m.comparison = ComparisonTable::from_json(j["comparison"]);
  if (m.comparison.rows.empty()) malformed_key(path, "comparison", "at least one row", j);
  m.test_mse_scaled = number_at(j, "test_mse_scaled", path);
  m.test_auc = number_at(j, "test_auc", path);
  m.test_log_loss = number_at(j, "test_log_loss", path);
  m.train_seconds = number_at(j, "train_seconds", path);
  if (!j.contains("split") || !j["split"].is_string()) malformed_key(path, "split", "a string", j);
  m.split = j["split"].get<std::string>();
  m.n_train = integer_at(j, "n_train", path);
  m.n_validation = integer_at(j, "n_validation", path);
  m.n_test = integer_at(j, "n_test", path);
  TrainingSummary& t = m.training;
  if (j.contains("best_epoch")) t.epochs = epoch_summary_from_json(j, path);
  if (j.contains("rating_towers"))
    t.rating_towers = epoch_summary_from_json(j["rating_towers"], path + ": rating_towers");
  if (j.contains("resumed_from_epoch"))
    t.resumed_from_epoch = integer_at(j, "resumed_from_epoch", path);
  if (j.contains("iterations")) t.iterations = integer_at(j, "iterations", path);
  return m;
}

}  // namespace towerrec

#include "train/model_comparison.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "eval/html_report.h"
#include "run/run_directory.h"
#include "run/run_inputs.h"
#include "train/training_run.h"

namespace towerrec {
namespace {

using json = nlohmann::json;

// Learning curves from a run's epochs.jsonl (written by run_training).
void read_curves(const std::string& path, ReportModel& m) {
  m.train_loss.name = "train";
  m.val_loss.name = "validation";
  std::istringstream in(read_file(path));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const json j = json::parse(line);
    const double epoch = j.at("epoch").get<double>();
    m.train_loss.x.push_back(epoch);
    m.train_loss.y.push_back(j.at("train_loss").get<double>());
    if (!j.at("val_loss").is_null()) {
      m.val_loss.x.push_back(epoch);
      m.val_loss.y.push_back(j.at("val_loss").get<double>());
    }
  }
}

// Test predictions from a run's test_predictions.csv (absent for binary models).
void read_predictions(const std::string& path, ReportModel& m) {
  if (!std::filesystem::exists(path)) return;
  std::istringstream in(read_file(path));
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const size_t c3 = line.rfind(',');
    const size_t c2 = line.rfind(',', c3 - 1);
    if (c2 == std::string::npos || c3 == std::string::npos) continue;
    m.actual.push_back(std::stof(line.substr(c2 + 1, c3 - c2 - 1)));
    m.predicted.push_back(std::stof(line.substr(c3 + 1)));
  }
}

}  // namespace

json compare_models(const RunOptions& opts, const std::string& out_dir, const RunCallbacks& cb) {
  make_dirs(out_dir);
  RunOptions base = opts;
  base.data.dir = prepare_data_dir(opts, out_dir, cb);  // one dataset for both models

  RunOptions tt = base;
  tt.model.kind = "two_tower";
  tt.name = opts.name + "-two_tower";
  tt.out = out_dir + "/two_tower";
  RunOptions cf = base;
  cf.model.kind = "cf";
  cf.name = opts.name + "-cf";
  cf.out = out_dir + "/cf";
  cf.cf.item_features = "learned";
  // The course's per-user regression on the items' content features: its own row.
  RunOptions content = cf;
  content.cf.item_features = "content";
  content.name = opts.name + "-content_regression";
  content.out = out_dir + "/content_regression";

  if (cb.log) cb.log("compare: training the two-tower model");
  const json tt_metrics = run_training(tt, cb);
  if (cb.log) cb.log("compare: training the collaborative-filtering model");
  const json cf_metrics = run_training(cf, cb);
  if (cb.log) cb.log("compare: fitting the content regression");
  const json content_metrics = run_training(content, cb);

  // Rows: both models, then the baselines (identical in both runs: same data, same split).
  ComparisonTable tt_table = ComparisonTable::from_json(tt_metrics.at("comparison"));
  const ComparisonTable cf_table = ComparisonTable::from_json(cf_metrics.at("comparison"));
  ComparisonTable table = tt_table;
  table.rows.clear();
  table.rows.push_back(tt_table.rows.front());
  table.rows.push_back(cf_table.rows.front());
  table.rows.push_back(ComparisonTable::from_json(content_metrics.at("comparison")).rows.front());
  for (size_t r = 1; r < tt_table.rows.size(); ++r) table.rows.push_back(tt_table.rows[r]);

  const json rows = table.to_json().at("rows");
  write_file_atomic(out_dir + "/compare.json", rows.dump(2) + "\n");
  write_file_atomic(out_dir + "/compare.md", table.to_markdown());

  ReportInput report;
  report.title = "towerrec compare: " + opts.name;
  report.summary = "Data: " + base.data.dir + "; split " + base.data.split + "; " +
                   std::to_string(tt_metrics.at("n_train").get<int64_t>()) + " training, " +
                   std::to_string(tt_metrics.at("n_validation").get<int64_t>()) +
                   " validation and " + std::to_string(tt_metrics.at("n_test").get<int64_t>()) +
                   " test ratings. Two-tower loss: MSE on ratings scaled to [-1, 1]; CF (solver " +
                   opts.cf.solver + "): its training cost J, and validation RMSE on its own axis.";
  report.table = table;
  report.rating_min = base.data.rating_min;
  report.rating_max = base.data.rating_max;
  // CF's cost J (a sum over ratings, millions) and its validation RMSE (stars, or for wals the
  // held-out rated cells against their target) get a panel each.
  const std::string cf_val =
      opts.cf.solver == "wals" ? "RMSE of held-out rated cells" : "RMSE (stars)";
  for (const auto& [name, dir, label, val_label] :
       {std::tuple<std::string, std::string, std::string, std::string>{"two_tower", tt.out,
                                                                       "MSE (scaled)", ""},
        {"cf", cf.out, "cost J", cf_val},
        {"content_regression", content.out, "cost J", "RMSE (stars)"}}) {
    ReportModel m;
    m.name = name;
    m.loss_label = label;
    m.val_label = val_label;
    read_curves(run_file(dir, kEpochsFile), m);
    read_predictions(run_file(dir, kTestPredictionsFile), m);
    report.models.push_back(std::move(m));
  }
  write_file_atomic(out_dir + "/report.html", render_html_report(report));
  if (cb.log) cb.log("wrote " + out_dir + "/compare.json, compare.md and report.html");
  return rows;
}

}  // namespace towerrec

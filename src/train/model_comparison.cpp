#include "train/model_comparison.h"

#include <tuple>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "eval/html_report.h"
#include "run/run_inputs.h"
#include "train/training_run.h"

namespace towerrec {
ComparisonTable compare_models(const RunOptions& opts, const std::string& out_dir,
                               const RunCallbacks& cb) {
  make_dirs(out_dir);
  RunOptions base = opts;
  base.data.dir = prepare_data_dir(opts, out_dir, cb);  // one dataset for both models

  RunOptions tt = base;
  tt.model.kind = ModelKind::kTwoTower;
  tt.name = opts.name + "-two_tower";
  tt.out = out_dir + "/two_tower";
  RunOptions cf = base;
  cf.model.kind = ModelKind::kCf;
  cf.name = opts.name + "-cf";
  cf.out = out_dir + "/cf";
  cf.cf.item_features = CfItemFeatures::kLearned;
  // The course's per-user regression on the items' content features: its own row.
  RunOptions content = cf;
  content.cf.item_features = CfItemFeatures::kContent;
  content.name = opts.name + "-content_regression";
  content.out = out_dir + "/content_regression";

  if (cb.log) cb.log("compare: training the two-tower model");
  const RunResult tt_run = run_training(tt, cb);
  if (cb.log) cb.log("compare: training the collaborative-filtering model");
  const RunResult cf_run = run_training(cf, cb);
  if (cb.log) cb.log("compare: fitting the content regression");
  const RunResult content_run = run_training(content, cb);

  // Rows: the three models, then the baselines (identical in every run: same data, same split).
  const RunMetrics& tt_metrics = tt_run.metrics;
  ComparisonTable table = tt_metrics.comparison;
  table.rows.clear();
  table.rows.push_back(tt_metrics.model());
  table.rows.push_back(cf_run.metrics.model());
  table.rows.push_back(content_run.metrics.model());
  for (size_t r = 1; r < tt_metrics.comparison.rows.size(); ++r)
    table.rows.push_back(tt_metrics.comparison.rows[r]);

  write_file_atomic(out_dir + "/compare.json", table.to_json().at("rows").dump(2) + "\n");
  write_file_atomic(out_dir + "/compare.md", table.to_markdown());

  ReportInput report;
  report.title = "towerrec compare: " + opts.name;
  report.summary =
      "Data: " + base.data.dir + "; split " + base.data.split + "; " +
      std::to_string(tt_metrics.n_train) + " training, " + std::to_string(tt_metrics.n_validation) +
      " validation and " + std::to_string(tt_metrics.n_test) +
      " test ratings. Two-tower loss: MSE on ratings scaled to [-1, 1]; CF (solver " +
      enum_name(opts.cf.solver) + "): its training cost J, and validation RMSE on its own axis.";
  report.table = table;
  report.rating_min = base.data.rating_min;
  report.rating_max = base.data.rating_max;
  // CF's cost J (a sum over ratings, millions) and its validation RMSE (stars, or for wals the
  // held-out rated cells against their target) get a panel each.
  const std::string cf_val =
      opts.cf.solver == CfSolverKind::kWals ? "RMSE of held-out rated cells" : "RMSE (stars)";
  for (const auto& [name, run, label, val_label] :
       {std::tuple<std::string, const RunResult*, std::string, std::string>{"two_tower", &tt_run,
                                                                            "MSE (scaled)", ""},
        {"cf", &cf_run, "cost J", cf_val},
        {"content_regression", &content_run, "cost J", "RMSE (stars)"}}) {
    ReportModel m;
    m.name = name;
    m.loss_label = label;
    m.val_label = val_label;
    m.train_loss = run->train_loss;
    m.val_loss = run->val_loss;
    m.predicted = run->test_predictions;
    m.actual = run->test_ratings;
    report.models.push_back(std::move(m));
  }
  write_file_atomic(out_dir + "/report.html", render_html_report(report));
  if (cb.log) cb.log("wrote " + out_dir + "/compare.json, compare.md and report.html");
  return table;
}

}  // namespace towerrec

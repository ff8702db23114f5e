// report.html for `towerrec compare`: one self-contained file (inline SVG, no scripts, no network)
// with the metric table, the metrics as bars, the beyond-accuracy table with accuracy plotted
// against popularity bias (one point per model), each model's learning curves and
// predicted-versus-actual rating distributions on the test split.
#pragma once

#include <string>
#include <vector>

#include "eval/comparison.h"
#include "eval/svg_chart.h"

namespace towerrec {

struct ReportModel {
  std::string name;        // "two_tower", "cf"
  std::string loss_label;  // what the curves measure, e.g. "MSE (scaled)"
  Series train_loss;       // per epoch
  Series val_loss;         // per epoch (may be empty)
  // When set, validation measures something else than training (CF: cost J vs RMSE in stars) and
  // gets its own panel with this axis label; else both curves share loss_label's axis.
  std::string val_label;
  std::vector<float> predicted;  // test predictions in stars (may be empty)
  std::vector<float> actual;     // test ratings in stars, parallel to predicted
};

struct ReportInput {
  std::string title;
  std::string summary;  // one paragraph of plain text: data, split, sizes
  ComparisonTable table;
  std::vector<ReportModel> models;
  double rating_min = 0.5;
  double rating_max = 5.0;
};

std::string render_html_report(const ReportInput& in);

// Counts of `values` in half-star bins [rating_min, rating_max] (values rounded to the nearest half
// star and clamped), one count per bin: the histogram drawn in the report.
std::vector<double> half_star_histogram(const std::vector<float>& values, double rating_min,
                                        double rating_max);

}  // namespace towerrec

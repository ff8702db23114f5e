#include "eval/html_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace towerrec {
namespace {

std::string cell(const std::optional<double>& v, int decimals) {
  if (!v || !std::isfinite(*v)) return "&mdash;";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, *v);
  return buf;
}

double value_or_nan(const std::optional<double>& v) { return v ? *v : NAN; }

// Large values (a cost J in the millions) in thousands or millions, so ticks stay short; the unit
// goes into the axis label.
void scale_for_axis(Series& s, std::string& label) {
  double top = 0;
  for (double y : s.y)
    if (std::isfinite(y)) top = std::max(top, std::fabs(y));
  const double unit = top >= 1e6 ? 1e6 : top >= 1e4 ? 1e3 : 1;
  if (unit == 1) return;
  for (double& y : s.y) y /= unit;
  label += unit == 1e6 ? " (millions)" : " (thousands)";
}

}  // namespace

std::vector<double> half_star_histogram(const std::vector<float>& values, double rating_min,
                                        double rating_max) {
  const int bins = std::max(1, static_cast<int>(std::lround((rating_max - rating_min) * 2)) + 1);
  std::vector<double> counts(static_cast<size_t>(bins), 0.0);
  for (float v : values) {
    if (!std::isfinite(v)) continue;
    int b = static_cast<int>(std::lround((v - rating_min) * 2));
    b = std::clamp(b, 0, bins - 1);
    counts[static_cast<size_t>(b)] += 1;
  }
  return counts;
}

std::string render_html_report(const ReportInput& in) {
  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
       << html_escape(in.title) << "</title><style>"
       << "body{font-family:sans-serif;max-width:1180px;margin:2em auto;color:#222}"
       << "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px "
          "10px;text-align:right}"
       << "th:first-child,td:first-child{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:"
          "12px}"
       << "</style></head><body>\n";
  html << "<h1>" << html_escape(in.title) << "</h1>\n<p>" << html_escape(in.summary) << "</p>\n";

  const std::string k = std::to_string(in.table.k);
  html << "<h2>Test metrics</h2>\n<table><tr><th>model</th><th>RMSE</th><th>MAE</th><th>Recall@"
       << k << "</th><th>NDCG@" << k << "</th><th>train seconds</th></tr>\n";
  for (const auto& r : in.table.rows)
    html << "<tr><td>" << html_escape(r.model) << "</td><td>" << cell(r.test_rmse, 4) << "</td><td>"
         << cell(r.test_mae, 4) << "</td><td>" << cell(r.recall_at_k, 4) << "</td><td>"
         << cell(r.ndcg_at_k, 4) << "</td><td>" << cell(r.train_seconds, 2) << "</td></tr>\n";
  html << "</table>\n<p>Ranking metrics over " << in.table.ranking_users
       << " users with a test item rated &ge; " << in.table.relevant_min
       << "; candidates are all items the user did not rate in training.</p>\n";

  std::vector<std::string> names;
  std::vector<double> rmse, mae, recall, ndcg;
  for (const auto& r : in.table.rows) {
    names.push_back(r.model);
    rmse.push_back(value_or_nan(r.test_rmse));
    mae.push_back(value_or_nan(r.test_mae));
    recall.push_back(value_or_nan(r.recall_at_k));
    ndcg.push_back(value_or_nan(r.ndcg_at_k));
  }
  html << "<h2>Metrics as bars</h2>\n<div class=\"charts\">"
       << svg_bar_chart("RMSE (stars, lower is better)", names, rmse)
       << svg_bar_chart("MAE (stars, lower is better)", names, mae)
       << svg_bar_chart("Recall@" + k + " (higher is better)", names, recall)
       << svg_bar_chart("NDCG@" + k + " (higher is better)", names, ndcg) << "</div>\n";

  html << "<h2>Beyond accuracy (the same top-" << k << " lists)</h2>\n<table><tr><th>model</th>"
       << "<th>coverage@" << k << "</th><th>Gini@" << k << "</th><th>avg popularity</th>"
       << "<th>novelty (bits)</th><th>intra-list diversity</th></tr>\n";
  std::vector<LabelledPoint> points;
  for (const auto& r : in.table.rows) {
    if (!r.coverage && r.note.empty()) continue;
    std::string div = cell(r.diversity, 4);
    if (r.diversity && !r.diversity_vectors.empty())
      div += " (" + html_escape(r.diversity_vectors) + ")";
    html << "<tr><td>" << html_escape(r.model) << "</td><td>" << cell(r.coverage, 4) << "</td><td>"
         << cell(r.gini, 4) << "</td><td>" << cell(r.avg_popularity, 1) << "</td><td>"
         << cell(r.novelty, 3) << "</td><td>" << div << "</td></tr>\n";
    if (r.recall_at_k && r.avg_popularity)
      points.push_back({r.model, *r.avg_popularity, *r.recall_at_k});
  }
  html << "</table>\n<p>Coverage: share of the catalogue recommended to at least one user. Gini: "
          "inequality of how often each item is recommended (0 even, 1 one item everywhere). "
          "Popularity: mean number of training ratings of a recommended item; novelty: mean "
          "&minus;log<sub>2</sub> of its share of the training ratings. Diversity: 1 &minus; mean "
          "pairwise cosine of the items in a list, over the vectors named.</p>\n";
  for (const auto& r : in.table.rows)
    if (!r.note.empty())
      html << "<p>" << html_escape(r.model) << ": " << html_escape(r.note) << "</p>\n";
  html << "<div class=\"charts\">"
       << svg_scatter_chart("Accuracy against popularity bias (up and left is better)",
                            "avg training ratings of a recommended item", "Recall@" + k, points)
       << "</div>\n";

  html << "<h2>Learning curves</h2>\n<div class=\"charts\">";
  for (const auto& m : in.models) {
    if (!m.val_label.empty()) {
      Series train = m.train_loss;
      std::string label = m.loss_label;
      scale_for_axis(train, label);
      html << svg_line_chart(m.name + ": training", "epoch", label, {train});
      if (!m.val_loss.y.empty())
        html << svg_line_chart(m.name + ": validation", "epoch", m.val_label, {m.val_loss});
      continue;
    }
    std::vector<Series> s{m.train_loss};
    if (!m.val_loss.y.empty()) s.push_back(m.val_loss);
    html << svg_line_chart(m.name + ": training and validation", "epoch", m.loss_label, s);
  }
  html << "</div>\n";

  html << "<h2>Predicted versus actual ratings (test split)</h2>\n<div class=\"charts\">";
  std::vector<std::string> bins;
  for (double v = in.rating_min; v <= in.rating_max + 1e-9; v += 0.5) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%g", v);
    bins.push_back(buf);
  }
  for (const auto& m : in.models) {
    if (m.predicted.empty()) continue;
    Series actual{"actual", {}, half_star_histogram(m.actual, in.rating_min, in.rating_max)};
    Series pred{"predicted (rounded to half stars)",
                {},
                half_star_histogram(m.predicted, in.rating_min, in.rating_max)};
    html << svg_grouped_bars(m.name + ": rating distribution", bins, {actual, pred});
  }
  html << "</div>\n</body></html>\n";
  return html.str();
}

}  // namespace towerrec

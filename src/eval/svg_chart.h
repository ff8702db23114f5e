// Minimal inline-SVG charts for the self-contained HTML report: no scripts, no network, any
// browser.
#pragma once

#include <string>
#include <vector>

namespace towerrec {

struct Series {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;  // NaN points are skipped
};

// A line chart of one or more series with axes, ticks and a legend.
std::string svg_line_chart(const std::string& title, const std::string& x_label,
                           const std::string& y_label, const std::vector<Series>& series);

// Horizontal bars, one per label; NaN values are drawn as "n/a".
std::string svg_bar_chart(const std::string& title, const std::vector<std::string>& labels,
                          const std::vector<double>& values);

// Grouped vertical bars: for each bin label, one bar per series (e.g. actual vs predicted counts).
std::string svg_grouped_bars(const std::string& title, const std::vector<std::string>& bins,
                             const std::vector<Series>& series);

// One labelled point per entry (e.g. one model): x against y with axes and ticks; points with a
// non-finite coordinate are left out.
struct LabelledPoint {
  std::string label;
  double x = 0, y = 0;
};
std::string svg_scatter_chart(const std::string& title, const std::string& x_label,
                              const std::string& y_label, const std::vector<LabelledPoint>& points);

// A tick or value label in plain digits: thousands separated by commas (6,520, not 6.52e+03),
// up to 3 decimals below 1000, and enough decimals for small values (0.0012).
std::string plain_number(double v);

// Tick positions in [lo, hi] at a round step (1, 2 or 5 times a power of ten), 3 to 7 of them:
// 0, 0.05, 0.1, ... rather than quarters of the range (0.057, 0.114, ...).
std::vector<double> nice_ticks(double lo, double hi);

// Escapes &, <, >, " for HTML/SVG text.
std::string html_escape(const std::string& s);

}  // namespace towerrec

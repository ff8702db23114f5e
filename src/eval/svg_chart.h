// Minimal inline-SVG charts for the self-contained HTML report: no scripts, no network, any browser.
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

// Escapes &, <, >, " for HTML/SVG text.
std::string html_escape(const std::string& s);

}  // namespace towerrec

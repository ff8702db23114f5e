#include "eval/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace towerrec {
namespace {

constexpr const char* kColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c",
                                   "#d62728", "#9467bd", "#8c564b"};
constexpr int kW = 560, kH = 300, kLeft = 70, kRight = 20, kTop = 34, kBottom = 44;

void header(std::ostringstream& svg, const std::string& title, int h = kH) {
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kW << "\" height=\"" << h
      << "\" viewBox=\"0 0 " << kW << " " << h << "\" font-family=\"sans-serif\" font-size=\"11\">"
      << "<text x=\"" << kW / 2 << "\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">"
      << html_escape(title) << "</text>";
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi) {
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return {lo};
  // A step of 1, 2 or 5 times a power of ten giving 3 to 7 ticks.
  const double raw = (hi - lo) / 4, mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  const double step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
  std::vector<double> ticks;
  const double first = std::ceil(lo / step - 1e-9);
  for (double i = first; i * step <= hi + 1e-9 * step; i += 1) {
    const double v = i * step;
    ticks.push_back(std::fabs(v) < 1e-12 * step ? 0.0 : v);
  }
  return ticks;
}

namespace {

// Axis frame, round-valued ticks on both axes and the axis labels of the plot area.
template <class PX, class PY>
void axes(std::ostringstream& svg, double x0, double x1, double y0, double y1, PX px, PY py,
          const std::string& x_label, const std::string& y_label) {
  const double pw = kW - kLeft - kRight, ph = kH - kTop - kBottom;
  svg << "<rect x=\"" << kLeft << "\" y=\"" << kTop << "\" width=\"" << pw << "\" height=\"" << ph
      << "\" fill=\"none\" stroke=\"#999\"/>";
  for (double yv : nice_ticks(y0, y1))
    svg << "<text x=\"" << kLeft - 4 << "\" y=\"" << py(yv) + 4 << "\" text-anchor=\"end\">"
        << plain_number(yv) << "</text><line x1=\"" << kLeft << "\" x2=\"" << kLeft + pw
        << "\" y1=\"" << py(yv) << "\" y2=\"" << py(yv) << "\" stroke=\"#eee\"/>";
  for (double xv : nice_ticks(x0, x1))
    svg << "<text x=\"" << px(xv) << "\" y=\"" << kTop + ph + 14 << "\" text-anchor=\"middle\">"
        << plain_number(xv) << "</text>";
  svg << "<text x=\"" << kLeft + pw / 2 << "\" y=\"" << kH - 8 << "\" text-anchor=\"middle\">"
      << html_escape(x_label) << "</text>";
  svg << "<text transform=\"translate(14," << kTop + ph / 2
      << ") rotate(-90)\" text-anchor=\"middle\">" << html_escape(y_label) << "</text>";
}

}  // namespace

std::string plain_number(double v) {
  if (!std::isfinite(v)) return "n/a";
  char buf[64];
  const double a = std::fabs(v);
  if (a >= 1000) {
    std::snprintf(buf, sizeof buf, "%.0f", a);
    std::string digits = buf, grouped;
    for (size_t i = 0; i < digits.size(); ++i) {
      if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
      grouped += digits[i];
    }
    return (v < 0 ? "-" : "") + grouped;
  }
  // Three significant decimals below 0.01 (0.0012), three decimals above; trailing zeros trimmed.
  const int decimals = a > 0 && a < 0.01 ? 2 - static_cast<int>(std::floor(std::log10(a))) : 3;
  std::snprintf(buf, sizeof buf, "%.*f", std::min(decimals, 12), v);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s == "-0" ? "0" : s;
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string svg_line_chart(const std::string& title, const std::string& x_label,
                           const std::string& y_label, const std::vector<Series>& series) {
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (const auto& s : series)
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.y[i])) continue;
      x0 = std::min(x0, s.x[i]);
      x1 = std::max(x1, s.x[i]);
      y0 = std::min(y0, s.y[i]);
      y1 = std::max(y1, s.y[i]);
    }
  std::ostringstream svg;
  header(svg, title);
  if (!std::isfinite(x0)) {
    svg << "<text x=\"" << kW / 2 << "\" y=\"" << kH / 2
        << "\" text-anchor=\"middle\">no data</text></svg>";
    return svg.str();
  }
  if (x1 == x0) x1 = x0 + 1;
  if (y1 == y0) y1 = y0 + 1;
  const double pad = 0.05 * (y1 - y0);
  y0 -= pad;
  y1 += pad;
  const double pw = kW - kLeft - kRight, ph = kH - kTop - kBottom;
  auto px = [&](double x) { return kLeft + (x - x0) / (x1 - x0) * pw; };
  auto py = [&](double y) { return kTop + (1 - (y - y0) / (y1 - y0)) * ph; };
  axes(svg, x0, x1, y0, y1, px, py, x_label, y_label);
  for (size_t k = 0; k < series.size(); ++k) {
    const auto& s = series[k];
    const char* color = kColors[k % 6];
    svg << "<polyline fill=\"none\" stroke=\"" << color << "\" stroke-width=\"2\" points=\"";
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i)
      if (std::isfinite(s.y[i])) svg << px(s.x[i]) << "," << py(s.y[i]) << " ";
    svg << "\"/>";
    svg << "<rect x=\"" << kLeft + pw - 150 << "\" y=\"" << kTop + 8 + 16 * k
        << "\" width=\"12\" height=\"4\" fill=\"" << color << "\"/><text x=\"" << kLeft + pw - 132
        << "\" y=\"" << kTop + 13 + 16 * k << "\">" << html_escape(s.name) << "</text>";
  }
  svg << "</svg>";
  return svg.str();
}

std::string svg_scatter_chart(const std::string& title, const std::string& x_label,
                              const std::string& y_label,
                              const std::vector<LabelledPoint>& points) {
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (const auto& p : points) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
    x0 = std::min(x0, p.x);
    x1 = std::max(x1, p.x);
    y0 = std::min(y0, p.y);
    y1 = std::max(y1, p.y);
  }
  std::ostringstream svg;
  header(svg, title);
  if (!std::isfinite(x0)) {
    svg << "<text x=\"" << kW / 2 << "\" y=\"" << kH / 2
        << "\" text-anchor=\"middle\">no data</text></svg>";
    return svg.str();
  }
  // Room around the extreme points for their markers and labels; the y axis starts at 0 when
  // that costs little, so heights compare.
  const double xpad = x1 > x0 ? 0.1 * (x1 - x0) : std::max(1.0, 0.1 * std::fabs(x0));
  const double ypad = y1 > y0 ? 0.15 * (y1 - y0) : std::max(0.01, 0.15 * std::fabs(y0));
  x0 = std::max(0.0, x0 - xpad);
  x1 += xpad;
  y0 = y0 >= 0 && y0 < 0.5 * y1 ? 0.0 : y0 - ypad;
  y1 += ypad;
  const double pw = kW - kLeft - kRight, ph = kH - kTop - kBottom;
  auto px = [&](double x) { return kLeft + (x - x0) / (x1 - x0) * pw; };
  auto py = [&](double y) { return kTop + (1 - (y - y0) / (y1 - y0)) * ph; };
  axes(svg, x0, x1, y0, y1, px, py, x_label, y_label);
  for (size_t k = 0; k < points.size(); ++k) {
    const auto& p = points[k];
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
    // Labels point inwards, and alternate above and below so that close points stay readable.
    const bool right_half = px(p.x) > kLeft + pw / 2;
    svg << "<circle cx=\"" << px(p.x) << "\" cy=\"" << py(p.y) << "\" r=\"5\" fill=\""
        << kColors[k % 6] << "\"/><text x=\"" << px(p.x) + (right_half ? -8 : 8) << "\" y=\""
        << py(p.y) + (k % 2 ? 15 : -6) << "\" text-anchor=\"" << (right_half ? "end" : "start")
        << "\">" << html_escape(p.label) << "</text>";
  }
  svg << "</svg>";
  return svg.str();
}

std::string svg_bar_chart(const std::string& title, const std::vector<std::string>& labels,
                          const std::vector<double>& values) {
  const int row = 22;
  const int h = kTop + row * static_cast<int>(labels.size()) + 12;
  double vmax = 0;
  for (double v : values)
    if (std::isfinite(v)) vmax = std::max(vmax, v);
  if (vmax <= 0) vmax = 1;
  std::ostringstream svg;
  header(svg, title, h);
  const int left = 110;
  const double pw = kW - left - 70;
  for (size_t i = 0; i < labels.size(); ++i) {
    const double y = kTop + row * static_cast<double>(i);
    svg << "<text x=\"" << left - 6 << "\" y=\"" << y + 14 << "\" text-anchor=\"end\">"
        << html_escape(labels[i]) << "</text>";
    const double v = i < values.size() ? values[i] : NAN;
    if (!std::isfinite(v)) {
      svg << "<text x=\"" << left + 4 << "\" y=\"" << y + 14 << "\" fill=\"#888\">n/a</text>";
      continue;
    }
    const double w = std::max(1.0, v / vmax * pw);
    svg << "<rect x=\"" << left << "\" y=\"" << y + 3 << "\" width=\"" << w << "\" height=\""
        << row - 6 << "\" fill=\"" << kColors[i % 6] << "\"/><text x=\"" << left + w + 4
        << "\" y=\"" << y + 14 << "\">" << plain_number(v) << "</text>";
  }
  svg << "</svg>";
  return svg.str();
}

std::string svg_grouped_bars(const std::string& title, const std::vector<std::string>& bins,
                             const std::vector<Series>& series) {
  double vmax = 0;
  for (const auto& s : series)
    for (double v : s.y)
      if (std::isfinite(v)) vmax = std::max(vmax, v);
  if (vmax <= 0) vmax = 1;
  std::ostringstream svg;
  header(svg, title);
  const double pw = kW - kLeft - kRight, ph = kH - kTop - kBottom;
  const double group = pw / std::max<size_t>(1, bins.size());
  const double bar = group * 0.8 / std::max<size_t>(1, series.size());
  svg << "<line x1=\"" << kLeft << "\" x2=\"" << kLeft + pw << "\" y1=\"" << kTop + ph << "\" y2=\""
      << kTop + ph << "\" stroke=\"#999\"/>";
  for (double yv : nice_ticks(0, vmax))
    svg << "<text x=\"" << kLeft - 4 << "\" y=\"" << kTop + ph - yv / vmax * ph + 4
        << "\" text-anchor=\"end\">" << plain_number(yv) << "</text>";
  for (size_t b = 0; b < bins.size(); ++b) {
    const double gx = kLeft + group * static_cast<double>(b) + group * 0.1;
    for (size_t k = 0; k < series.size(); ++k) {
      const double v = b < series[k].y.size() ? series[k].y[b] : 0;
      if (!std::isfinite(v)) continue;
      const double hgt = v / vmax * ph;
      svg << "<rect x=\"" << gx + bar * static_cast<double>(k) << "\" y=\"" << kTop + ph - hgt
          << "\" width=\"" << bar << "\" height=\"" << hgt << "\" fill=\"" << kColors[k % 6]
          << "\"/>";
    }
    svg << "<text x=\"" << gx + group * 0.4 << "\" y=\"" << kTop + ph + 14
        << "\" text-anchor=\"middle\">" << html_escape(bins[b]) << "</text>";
  }
  for (size_t k = 0; k < series.size(); ++k)
    svg << "<rect x=\"" << kLeft + 10 << "\" y=\"" << kTop + 6 + 16 * k
        << "\" width=\"12\" height=\"8\" fill=\"" << kColors[k % 6] << "\"/><text x=\""
        << kLeft + 28 << "\" y=\"" << kTop + 14 + 16 * k << "\">" << html_escape(series[k].name)
        << "</text>";
  svg << "</svg>";
  return svg.str();
}

}  // namespace towerrec

#include "data/dataset_stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "data/dataset.h"
#include "data/field_parser.h"

namespace towerrec {
namespace {

constexpr size_t kMaxDistinct = 20;
constexpr int kBins = 10;

void histogram(const Dataset& data, DatasetStats& s) {
  const auto& v = data.ratings.value;
  // Distinct values first (ratings are usually half stars); a short list searched linearly beats a
  // map.
  std::vector<std::pair<float, int64_t>> distinct;
  bool too_many = false;
  for (float x : v) {
    auto it =
        std::find_if(distinct.begin(), distinct.end(), [x](const auto& p) { return p.first == x; });
    if (it != distinct.end()) {
      ++it->second;
      continue;
    }
    if (distinct.size() == kMaxDistinct) {
      too_many = true;
      break;
    }
    distinct.emplace_back(x, 1);
  }
  if (!too_many) {
    std::sort(distinct.begin(), distinct.end());
    for (const auto& [x, n] : distinct) s.histogram.emplace_back(x, n);
    return;
  }
  s.histogram_binned = true;
  const double lo = data.rating_min, width = (data.rating_max - data.rating_min) / kBins;
  std::vector<int64_t> count(kBins, 0);
  for (float x : v) {
    int b = width > 0 ? static_cast<int>((x - lo) / width) : 0;
    count[std::clamp(b, 0, kBins - 1)]++;
  }
  for (int b = 0; b < kBins; ++b) s.histogram.emplace_back(lo + b * width, count[b]);
}

std::string fmt(const char* f, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, x);
  return buf;
}

}  // namespace

DatasetStats compute_dataset_stats(const Dataset& data) {
  DatasetStats s;
  s.source = data.source;
  s.format = enum_name(data.format);
  s.users = data.num_users();
  s.items = data.num_items();
  s.ratings = static_cast<int64_t>(data.ratings.size());
  s.rating_min = data.rating_min;
  s.rating_max = data.rating_max;
  s.duplicates_dropped = data.duplicates_dropped;
  std::vector<bool> rated(static_cast<size_t>(s.items), false);
  double sum = 0;
  for (size_t r = 0; r < data.ratings.size(); ++r) {
    rated[data.ratings.item[r]] = true;
    sum += data.ratings.value[r];
  }
  s.rated_items = std::count(rated.begin(), rated.end(), true);
  s.rating_mean = s.ratings ? sum / s.ratings : 0;
  const double cells = static_cast<double>(s.users) * static_cast<double>(s.items);
  s.sparsity = cells > 0 ? 1.0 - s.ratings / cells : 0;
  histogram(data, s);

  const auto& meta = data.item_meta;
  s.genre_items.reserve(meta.genre_names.size());
  for (const auto& name : meta.genre_names) s.genre_items.emplace_back(name, 0);
  for (uint64_t mask : meta.genres) {
    if (mask == 0) ++s.items_without_genre;
    for (size_t g = 0; g < s.genre_items.size(); ++g) {
      if (mask >> g & 1) ++s.genre_items[g].second;
    }
  }

  for (const DemographicColumn& col : data.user_meta.columns) {
    DatasetStats::Demographic d;
    d.name = col.name;
    d.categorical = col.categorical;
    if (col.categorical) {
      std::vector<int64_t> count(col.categories.size(), 0);
      for (int32_t c : col.code) {
        if (c < 0) {
          ++d.missing;
        } else {
          ++count[static_cast<size_t>(c)];
        }
      }
      for (size_t c = 0; c < count.size(); ++c)
        d.categories.emplace_back(col.categories[c], count[c]);
      std::stable_sort(d.categories.begin(), d.categories.end(),
                       [](const auto& a, const auto& b) { return a.second > b.second; });
    } else {
      double lo = std::numeric_limits<double>::infinity(), hi = -lo, total = 0;
      int64_t present = 0;
      for (float x : col.numeric) {
        if (std::isnan(x)) {
          ++d.missing;
          continue;
        }
        lo = std::min<double>(lo, x);
        hi = std::max<double>(hi, x);
        total += x;
        ++present;
      }
      if (present > 0) {
        d.min = lo;
        d.max = hi;
        d.mean = total / present;
      }
    }
    s.demographics.push_back(std::move(d));
  }
  return s;
}

std::string format_dataset_stats(const DatasetStats& s) {
  std::string out;
  auto line = [&out](const std::string& text) { out += text + "\n"; };
  line("source:             " + s.source);
  line("format:             " + s.format);
  line("users:              " + std::to_string(s.users));
  line("items:              " + std::to_string(s.items) + " (" + std::to_string(s.rated_items) +
       " rated)");
  line("ratings:            " + std::to_string(s.ratings));
  line("sparsity:           " + fmt("%.4f%%", 100 * s.sparsity) + " (density " +
       fmt("%.4f%%", 100 * (1 - s.sparsity)) + ")");
  line("rating scale:       [" + format_number(s.rating_min) + ", " + format_number(s.rating_max) +
       "], mean " + fmt("%.4f", s.rating_mean));
  line("duplicates dropped: " + std::to_string(s.duplicates_dropped));
  line(s.histogram_binned ? "rating histogram (10 bins, lower edge):" : "rating histogram:");
  int64_t most = 1;
  for (const auto& h : s.histogram) most = std::max(most, h.second);
  for (const auto& [value, count] : s.histogram) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "  %-8s %10lld %5.1f%%  ", format_number(value).c_str(),
                  static_cast<long long>(count), s.ratings ? 100.0 * count / s.ratings : 0.0);
    line(buf + std::string(static_cast<size_t>(40 * count / most), '#'));
  }
  if (!s.genre_items.empty()) {
    line("items per genre:");
    for (const auto& [name, count] : s.genre_items) {
      char buf[128];
      std::snprintf(buf, sizeof buf, "  %-20s %8lld", name.c_str(), static_cast<long long>(count));
      line(buf);
    }
    char buf[128];
    std::snprintf(buf, sizeof buf, "  %-20s %8lld", "(none)",
                  static_cast<long long>(s.items_without_genre));
    line(buf);
  }
  if (s.demographics.empty()) {
    line("demographics:       none");
  } else {
    line("demographics:");
    for (const auto& d : s.demographics) {
      std::string text = "  " + d.name + (d.categorical ? " (categorical): " : " (numeric): ");
      if (d.categorical) {
        for (size_t c = 0; c < d.categories.size(); ++c) {
          text += (c ? ", " : "") + d.categories[c].first + " " +
                  std::to_string(d.categories[c].second);
        }
      } else {
        text += "min " + format_number(d.min) + ", mean " + fmt("%.2f", d.mean) + ", max " +
                format_number(d.max);
      }
      text += "; missing " + std::to_string(d.missing);
      line(text);
    }
  }
  return out;
}

}  // namespace towerrec

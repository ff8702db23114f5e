#include "features/user_features.h"

#include <cmath>
#include <vector>

#include "core/error.h"
#include "data/dataset.h"
#include "features/rating_stats.h"

namespace towerrec {

namespace {

// One output column group for a demographic column; `fill` is the imputed value for numeric
// columns.
struct DemoPlan {
  const DemographicColumn* col = nullptr;
  bool missing_flag = false;
  double fill = 0;
};

double mean_present(const std::vector<float>& v, const std::vector<int64_t>* count, bool* found) {
  double sum = 0;
  int64_t n = 0;
  for (size_t u = 0; u < v.size(); ++u) {
    if (std::isnan(v[u]) || (count && (*count)[u] == 0)) continue;
    sum += v[u];
    ++n;
  }
  *found = n > 0;
  return n ? sum / static_cast<double>(n) : 0.0;
}

}  // namespace

FeatureMatrix build_user_features(const Dataset& data, const RatingStats& stats,
                                  const FeatureOptions& opts,
                                  std::map<std::string, double>* imputed) {
  const int32_t n = data.num_users();
  TOWERREC_CHECK(stats.num_users == n);
  const int32_t num_genres = stats.num_genres;

  FeatureMatrix m;
  m.names.push_back("user.log_count");
  m.names.push_back("user.avg_rating");
  for (int32_t g = 0; g < num_genres; ++g) {
    m.names.push_back("user.genre_avg." + data.item_meta.genre_names[g]);
  }
  if (opts.genre_counts) {
    for (int32_t g = 0; g < num_genres; ++g) {
      m.names.push_back("user.genre_log_count." + data.item_meta.genre_names[g]);
    }
  }

  std::vector<DemoPlan> plans;
  if (opts.demographics) {
    for (const DemographicColumn& col : data.user_meta.columns) {
      DemoPlan p;
      p.col = &col;
      if (col.categorical) {
        TOWERREC_CHECK(col.code.size() == static_cast<size_t>(n));
        if (static_cast<int64_t>(col.categories.size()) > opts.max_categories) continue;
        for (const std::string& cat : col.categories)
          m.names.push_back("user." + col.name + "=" + cat);
      } else {
        TOWERREC_CHECK(col.numeric.size() == static_cast<size_t>(n));
        for (float v : col.numeric) p.missing_flag |= std::isnan(v);
        bool found = false;
        p.fill = mean_present(col.numeric, &stats.user_count, &found);
        if (!found) p.fill = mean_present(col.numeric, nullptr, &found);
        if (imputed) (*imputed)["user." + col.name] = p.fill;
        m.names.push_back("user." + col.name);
        if (p.missing_flag) m.names.push_back("user." + col.name + "_missing");
      }
      plans.push_back(p);
    }
  }
  m.resize(n);

  for (int32_t u = 0; u < n; ++u) {
    float* row = m.row(u);
    int c = 0;
    const double avg = stats.user_mean_or_global(u);
    row[c++] = static_cast<float>(std::log1p(static_cast<double>(stats.user_count[u])));
    row[c++] = static_cast<float>(avg);
    const size_t base = static_cast<size_t>(u) * num_genres;
    for (int32_t g = 0; g < num_genres; ++g) {
      const int64_t cnt = stats.user_genre_count[base + g];
      row[c++] = static_cast<float>(cnt ? stats.user_genre_sum[base + g] / cnt : avg);
    }
    if (opts.genre_counts) {
      for (int32_t g = 0; g < num_genres; ++g) {
        row[c++] =
            static_cast<float>(std::log1p(static_cast<double>(stats.user_genre_count[base + g])));
      }
    }
    for (const DemoPlan& p : plans) {
      const DemographicColumn& col = *p.col;
      if (col.categorical) {
        const int32_t code = col.code[u];
        TOWERREC_CHECK(code < static_cast<int32_t>(col.categories.size()));
        if (code >= 0) row[c + code] = 1.f;  // resize() zero-filled the row
        c += static_cast<int>(col.categories.size());
      } else {
        const float v = col.numeric[u];
        row[c++] = std::isnan(v) ? static_cast<float>(p.fill) : v;
        if (p.missing_flag) row[c++] = std::isnan(v) ? 1.f : 0.f;
      }
    }
    TOWERREC_CHECK(c == m.cols());
  }
  return m;
}

}  // namespace towerrec

#include "features/item_features.h"

#include <cmath>
#include <vector>

#include "core/error.h"
#include "data/dataset.h"
#include "features/rating_stats.h"

namespace towerrec {

namespace {

// Mean of the known years among items selected by `use`; nullopt-like flag through `found`.
double mean_known_year(const std::vector<int32_t>& year, const std::vector<int64_t>* count,
                       bool* found) {
  double sum = 0;
  int64_t n = 0;
  for (size_t i = 0; i < year.size(); ++i) {
    if (year[i] == 0 || (count && (*count)[i] == 0)) continue;
    sum += year[i];
    ++n;
  }
  *found = n > 0;
  return n ? sum / static_cast<double>(n) : 0.0;
}

}  // namespace

FeatureMatrix build_item_features(const Dataset& data, const RatingStats& stats,
                                  const FeatureOptions& opts,
                                  std::map<std::string, double>* imputed) {
  const int32_t n = data.num_items();
  TOWERREC_CHECK(stats.num_items == n);
  const std::vector<int32_t>& year = data.item_meta.year;

  bool any_year = false, any_missing = false;
  if (year.size() == static_cast<size_t>(n)) {
    for (int32_t y : year) (y != 0 ? any_year : any_missing) = true;
  }
  double year_fill = 0;
  if (any_year) {
    bool found = false;
    year_fill = mean_known_year(year, &stats.item_count, &found);
    if (!found) year_fill = mean_known_year(year, nullptr, &found);
    if (imputed) (*imputed)["item.year"] = year_fill;
  }

  FeatureMatrix m;
  if (any_year) {
    m.names.push_back("item.year");
    if (any_missing) m.names.push_back("item.year_missing");
  }
  const int32_t num_genres = stats.num_genres;
  for (int32_t g = 0; g < num_genres; ++g) {
    m.names.push_back("item.genre." + data.item_meta.genre_names[g]);
  }
  m.names.push_back("item.avg_rating");
  m.names.push_back("item.log_count");
  m.resize(n);

  for (int32_t i = 0; i < n; ++i) {
    float* row = m.row(i);
    int c = 0;
    if (any_year) {
      const bool missing = year[i] == 0;
      row[c++] = static_cast<float>(missing ? year_fill : year[i]);
      if (any_missing) row[c++] = missing ? 1.f : 0.f;
    }
    for (int32_t g = 0; g < num_genres; ++g) {
      row[c++] = (data.item_meta.genres[i] >> g & 1u) ? 1.f : 0.f;
    }
    row[c++] = static_cast<float>(stats.item_mean_shrunk(i, opts.shrinkage));
    row[c++] = static_cast<float>(std::log1p(static_cast<double>(stats.item_count[i])));
  }
  return m;
}

}  // namespace towerrec

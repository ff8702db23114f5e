#include "features/current_features.h"

#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

#include "core/error.h"
#include "data/dataset.h"
#include "features/fitted_features.h"
#include "features/item_features.h"
#include "features/rating_stats.h"
#include "features/user_features.h"

namespace towerrec {
namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// The run's columns filled from a matrix built natively on the current data, matched by name.
// `fallback(c, row)` gives the value of a run column the native matrix lacks.
template <class Fallback>
FeatureMatrix map_columns(const FeatureMatrix& native, const std::vector<std::string>& names,
                          Fallback fallback) {
  std::unordered_map<std::string, int64_t> where;
  for (int64_t c = 0; c < native.cols(); ++c) where[native.names[static_cast<size_t>(c)]] = c;
  std::vector<int64_t> from(names.size(), -1);
  for (size_t c = 0; c < names.size(); ++c) {
    auto it = where.find(names[c]);
    if (it != where.end()) from[c] = it->second;
  }
  FeatureMatrix m;
  m.names = names;
  m.resize(native.rows);
  for (int64_t r = 0; r < native.rows; ++r) {
    float* out = m.row(r);
    const float* in = native.row(r);
    for (size_t c = 0; c < names.size(); ++c)
      out[c] = from[c] >= 0 ? in[from[c]] : fallback(c, r, in, where);
  }
  return m;
}

using ColumnIndex = std::unordered_map<std::string, int64_t>;

double imputed_or_zero(const FittedFeatures& f, const std::string& name) {
  auto it = f.imputed.find(name);
  return it == f.imputed.end() ? 0.0 : it->second;
}

FeatureMatrix current_user_raw(const Dataset& data, const RatingStats& stats,
                               const FittedFeatures& fitted, const FeatureOptions& opts) {
  FeatureOptions all = opts;
  all.max_categories = std::numeric_limits<int64_t>::max();  // the run's names decide
  const FeatureMatrix native = build_user_features(data, stats, all);
  const std::string genre_avg = "user.genre_avg.";
  FeatureMatrix m =
      map_columns(native, fitted.user_names,
                  [&](size_t c, int64_t, const float* in, const ColumnIndex& where) -> float {
                    const std::string& name = fitted.user_names[c];
                    // No rating in a genre the data lacks: the user's own average, as for any
                    // unrated genre.
                    if (starts_with(name, genre_avg)) return in[where.at("user.avg_rating")];
                    if (fitted.imputed.count(name))
                      return static_cast<float>(fitted.imputed.at(name));
                    const std::string flag = "_missing";
                    if (name.size() > flag.size() &&
                        name.compare(name.size() - flag.size(), flag.size(), flag) == 0 &&
                        fitted.imputed.count(name.substr(0, name.size() - flag.size())) &&
                        !where.count(name.substr(0, name.size() - flag.size())))
                      return 1.f;  // the data has no such column at all: missing for everyone
                    return 0.f;
                  });
  // Missing numeric demographics take the run's imputed value, not today's mean.
  for (const DemographicColumn& col : data.user_meta.columns) {
    const std::string name = "user." + col.name;
    if (col.categorical || !fitted.imputed.count(name)) continue;
    for (size_t c = 0; c < m.names.size(); ++c) {
      if (m.names[c] != name) continue;
      for (int64_t u = 0; u < m.rows; ++u)
        if (std::isnan(col.numeric[static_cast<size_t>(u)]))
          m.row(u)[c] = static_cast<float>(fitted.imputed.at(name));
    }
  }
  return m;
}

FeatureMatrix current_item_raw(const Dataset& data, const RatingStats& stats,
                               const FittedFeatures& fitted, const FeatureOptions& opts) {
  const FeatureMatrix native = build_item_features(data, stats, opts);
  FeatureMatrix m =
      map_columns(native, fitted.item_names,
                  [&](size_t c, int64_t, const float*, const ColumnIndex& where) -> float {
                    const std::string& name = fitted.item_names[c];
                    if (name == "item.year")
                      return static_cast<float>(imputed_or_zero(fitted, name));
                    // No years in the data at all: every year is missing.
                    if (name == "item.year_missing") return where.count("item.year") ? 0.f : 1.f;
                    return 0.f;
                  });
  // Unknown years take the run's imputed year, not today's mean.
  const std::vector<int32_t>& year = data.item_meta.year;
  for (size_t c = 0; c < m.names.size(); ++c) {
    if (m.names[c] != "item.year" || year.size() != static_cast<size_t>(m.rows)) continue;
    for (int64_t i = 0; i < m.rows; ++i)
      if (year[static_cast<size_t>(i)] == 0)
        m.row(i)[c] = static_cast<float>(imputed_or_zero(fitted, "item.year"));
  }
  return m;
}

std::vector<UnknownValue> find_unknown_genres(const Dataset& data, const FittedFeatures& fitted) {
  const std::unordered_set<std::string> known(fitted.item_names.begin(), fitted.item_names.end());
  std::vector<UnknownValue> out;
  const auto& names = data.item_meta.genre_names;
  for (size_t g = 0; g < names.size(); ++g) {
    if (known.count("item.genre." + names[g])) continue;
    UnknownValue v{names[g], 0};
    for (uint64_t bits : data.item_meta.genres) v.count += (bits >> g) & 1u;
    out.push_back(v);
  }
  return out;
}

std::vector<UnknownValue> find_unknown_categories(const Dataset& data, const FittedFeatures& fitted,
                                                  const FeatureOptions& opts) {
  std::vector<UnknownValue> out;
  if (!opts.demographics) return out;
  const std::unordered_set<std::string> known(fitted.user_names.begin(), fitted.user_names.end());
  for (const DemographicColumn& col : data.user_meta.columns) {
    if (!col.categorical) continue;
    // Only columns the run encoded: one left out for its many categories (zip codes) is not news.
    const std::string prefix = "user." + col.name + "=";
    bool encoded = false;
    for (const std::string& n : fitted.user_names) encoded |= starts_with(n, prefix);
    if (!encoded) continue;
    for (size_t k = 0; k < col.categories.size(); ++k) {
      if (known.count(prefix + col.categories[k])) continue;
      UnknownValue v{col.name + "=" + col.categories[k], 0};
      for (int32_t code : col.code) v.count += code == static_cast<int32_t>(k);
      out.push_back(v);
    }
  }
  return out;
}

std::string describe_unknown(const std::vector<UnknownValue>& values, const char* what,
                             const char* entity) {
  std::string s = std::to_string(values.size()) + " " + what + (values.size() == 1 ? "" : "s") +
                  " the run did not know (ignored): ";
  for (size_t k = 0; k < values.size(); ++k) {
    if (k) s += ", ";
    s += values[k].name + " (" + std::to_string(values[k].count) + " " + entity +
         (values[k].count == 1 ? "" : "s") + ")";
  }
  return s;
}

}  // namespace

std::string CurrentFeatures::warning() const {
  std::string s;
  if (!unknown_genres.empty()) s = describe_unknown(unknown_genres, "genre", "item");
  if (!unknown_categories.empty())
    s += (s.empty() ? "" : "; ") +
         describe_unknown(unknown_categories, "demographic category", "user");
  return s;
}

CurrentFeatures build_current_features(const Dataset& data, const FittedFeatures& fitted,
                                       const FeatureOptions& opts) {
  if (data.ratings.size() == 0)
    throw Error(data.source + ": no ratings; features need at least one");
  std::vector<uint32_t> all(data.ratings.size());
  std::iota(all.begin(), all.end(), 0u);
  RatingStats stats = RatingStats::from_rows(data, all);
  // The run's mean, not today's: cold-start rows and shrunk item averages are what the towers saw.
  stats.global_mean = fitted.global_mean;

  CurrentFeatures cf;
  Features& f = cf.features;
  f.user_raw = current_user_raw(data, stats, fitted, opts);
  f.item_raw = current_item_raw(data, stats, fitted, opts);
  f.user_scaler = fitted.user_scaler;
  f.item_scaler = fitted.item_scaler;
  f.user = f.user_scaler.applied(f.user_raw);
  f.item = f.item_scaler.applied(f.item_raw);
  f.target = fitted.target;
  f.global_mean = fitted.global_mean;
  f.imputed = fitted.imputed;
  if (!fitted.watched_ids.empty()) {
    f.watched = WatchedItems::from_ids(fitted.watched_ids, data.items);
    f.watched_ids = fitted.watched_ids;
    f.user_bag = f.watched.bags(data, all);
  }
  if (!fitted.item_id_ids.empty()) {
    f.item_id_vocab = WatchedItems::from_ids(fitted.item_id_ids, data.items);
    f.item_id_ids = fitted.item_id_ids;
    f.item_bag = f.item_id_vocab.own_positions();
  }
  cf.unknown_genres = find_unknown_genres(data, fitted);
  cf.unknown_categories = find_unknown_categories(data, fitted, opts);
  return cf;
}

}  // namespace towerrec

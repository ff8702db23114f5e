#include "data/synthetic_model.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>
#include <type_traits>

#include "core/error.h"
#include "core/rng.h"

namespace towerrec {
namespace {

// Independent random streams: each domain's values never shift when another domain changes.
enum Domain : uint64_t { kGlobal = 1, kPopularity = 2, kUsers = 3, kItems = 4 };

// MovieLens genre names, most frequent first (so Zipf-ish genre frequencies look familiar).
const char* const kMovieLensGenres[] = {
    "Drama",   "Comedy",      "Thriller", "Action",  "Romance",  "Adventure",
    "Crime",   "Sci-Fi",      "Horror",   "Fantasy", "Children", "Animation",
    "Mystery", "Documentary", "War",      "Musical", "Western",  "Film-Noir"};

constexpr double kAgeMean = 34, kAgeStd = 12;
constexpr double kYearMean = 2000, kYearStd = 15;
constexpr double kUserBiasStd = 0.3, kItemBiasStd = 0.25;

double age_z(int32_t age) { return (age - kAgeMean) / kAgeStd; }
double year_z(int32_t year) { return (year - kYearMean) / kYearStd; }

// Checks every field against the ranges declared in SyntheticOptions::visit, so the library gives
// the same message as the config loader when called directly.
struct Validator {
  template <class T>
  void field(const char* key, const T& value, const char* /*doc*/, const Check& c = Check::any()) {
    if constexpr (std::is_arithmetic_v<T>) {
      const double x = static_cast<double>(value);
      const bool ok = !std::isnan(x) && (!c.min || (c.min_exclusive ? x > *c.min : x >= *c.min)) &&
                      (!c.max || x <= *c.max);
      if (!ok) {
        std::ostringstream found;
        found << value;
        throw UsageError(std::string("synthetic.") + key + ": expected " + c.describe("a number") +
                         ", found " + found.str());
      }
    }
  }
};

// Index drawn from unnormalised weights by a linear scan; for the short lists here (<= 64).
size_t draw_linear(Rng& rng, const std::vector<double>& cumulative) {
  const double x = rng.uniform() * cumulative.back();
  const size_t k = static_cast<size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), x) -
                                       cumulative.begin());
  return std::min(k, cumulative.size() - 1);
}

std::vector<double> zipf_cumulative(size_t n, double exponent) {
  std::vector<double> c(n);
  double sum = 0;
  for (size_t k = 0; k < n; ++k) c[k] = sum += 1.0 / std::pow(static_cast<double>(k + 1), exponent);
  return c;
}

}  // namespace

const std::vector<std::string>& SyntheticModel::genders() {
  static const std::vector<std::string> kGenders = {"F", "M"};
  return kGenders;
}

const std::vector<std::string>& SyntheticModel::occupations() {
  static const std::vector<std::string> kOccupations = {
      "student",   "other",         "educator",   "engineer",  "programmer", "administrator",
      "writer",    "librarian",     "technician", "executive", "healthcare", "artist",
      "marketing", "entertainment", "scientist",  "lawyer",    "salesman",   "retired",
      "homemaker", "doctor",        "none"};
  return kOccupations;
}

SyntheticModel::SyntheticModel(const SyntheticOptions& opts) : opts_(opts) {
  Validator validator;
  opts_.visit(validator);
  constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
  if (opts_.users > kMax)
    throw UsageError("synthetic.users: expected a number <= " + std::to_string(kMax) + ", found " +
                     std::to_string(opts_.users));
  if (opts_.items > kMax)
    throw UsageError("synthetic.items: expected a number <= " + std::to_string(kMax) + ", found " +
                     std::to_string(opts_.items));

  dim_ = static_cast<size_t>(opts_.latent_dim);
  const size_t num_genres = static_cast<size_t>(opts_.genres);
  const size_t num_occupations = occupations().size();
  for (size_t g = 0; g < num_genres; ++g)
    genre_names_.push_back(g < std::size(kMovieLensGenres) ? kMovieLensGenres[g]
                                                           : "Genre" + std::to_string(g + 1));

  // Planted coefficients.
  Rng global(mix_seed(opts_.seed, kGlobal));
  auto normals = [&](size_t n, double scale) {
    std::vector<double> v(n);
    for (double& x : v) x = scale * global.normal();
    return v;
  };
  a_age_ = normals(dim_, 1);
  a_gender_ = normals(2 * dim_, 1);
  a_occupation_ = normals(num_occupations * dim_, 1);
  b_genre_ = normals(num_genres * dim_, 1);
  b_year_ = normals(dim_, 1);
  occupation_bias_ = normals(num_occupations, 0.1);
  genre_bias_ = normals(num_genres, 0.2);

  const double content_w = std::sqrt(1 - opts_.personal), personal_w = std::sqrt(opts_.personal);
  std::vector<double> content(dim_);

  // Users.
  const size_t users = static_cast<size_t>(opts_.users);
  age_.resize(users);
  gender_.resize(users);
  occupation_.resize(users);
  user_bias_.resize(users);
  taste_.resize(users * dim_);
  const std::vector<double> occupation_cum = zipf_cumulative(num_occupations, 0.9);
  const uint64_t user_seed = mix_seed(opts_.seed, kUsers);
  for (size_t u = 0; u < users; ++u) {
    Rng rng(mix_seed(user_seed, u));
    const size_t occ = draw_linear(rng, occupation_cum);
    occupation_[u] = static_cast<uint8_t>(occ);
    gender_[u] = rng.uniform() < 0.6 ? 1 : 0;
    const double z = rng.normal();
    double age;
    if (occupations()[occ] == "student")
      age = std::clamp(21 + 3.5 * z, 14.0, 35.0);
    else if (occupations()[occ] == "retired")
      age = std::clamp(67 + 6 * z, 55.0, 85.0);
    else
      age = std::clamp(36 + 11 * z, 18.0, 75.0);
    age_[u] = static_cast<int16_t>(std::lround(age));
    const int32_t ui = static_cast<int32_t>(u);
    user_bias_[u] = static_cast<float>(content_user_bias(ui) + kUserBiasStd * rng.normal());
    content_taste(ui, content);
    for (size_t k = 0; k < dim_; ++k)
      taste_[u * dim_ + k] = static_cast<float>(content_w * content[k] + personal_w * rng.normal());
  }

  // Item popularity: Zipf weights over a seeded permutation of ranks, so ids carry no popularity.
  const size_t items = static_cast<size_t>(opts_.items);
  rank_.resize(items);
  std::iota(rank_.begin(), rank_.end(), 0u);
  Rng(mix_seed(opts_.seed, kPopularity)).shuffle(rank_);
  popularity_.resize(items);
  for (size_t i = 0; i < items; ++i)
    popularity_[i] = 1.0 / std::pow(static_cast<double>(rank_[i]) + 1, opts_.zipf);

  // Items.
  genres_.resize(items);
  year_.resize(items);
  item_bias_.resize(items);
  trait_.resize(items * dim_);
  const std::vector<double> genre_cum = zipf_cumulative(num_genres, 1.0);
  const size_t max_genres = std::min<size_t>(4, num_genres);
  const uint64_t item_seed = mix_seed(opts_.seed, kItems);
  for (size_t i = 0; i < items; ++i) {
    Rng rng(mix_seed(item_seed, i));
    uint64_t mask = 0;
    if (rng.uniform() >= 0.02) {  // 2% of items have no genres, as in MovieLens
      size_t k = 1;
      while (k < max_genres && rng.uniform() < 0.5) ++k;
      for (size_t have = 0; have < k;) {
        const uint64_t bit = uint64_t{1} << draw_linear(rng, genre_cum);
        if (!(mask & bit)) mask |= bit, ++have;
      }
    }
    genres_[i] = mask;
    // Release years skew recent: 2020 minus an exponential gap (mean 18 years), not before 1920.
    const double gap = -18.0 * std::log(rng.uniform_pos());
    year_[i] = static_cast<int16_t>(std::max(1920.0, 2020.0 - std::floor(gap)));
    const int32_t ii = static_cast<int32_t>(i);
    item_bias_[i] = static_cast<float>(content_item_bias(ii) + kItemBiasStd * rng.normal());
    content_trait(ii, content);
    for (size_t k = 0; k < dim_; ++k)
      trait_[i * dim_ + k] = static_cast<float>(content_w * content[k] + personal_w * rng.normal());
  }
}

double SyntheticModel::content_user_bias(int32_t u) const {
  // Older users rate a little higher; occupations differ a little.
  return 0.12 * age_z(age(u)) + occupation_bias_[occupation_[static_cast<size_t>(u)]];
}

double SyntheticModel::content_item_bias(int32_t i) const {
  const uint64_t mask = genres(i);
  double genre = 0;
  int count = 0;
  for (size_t g = 0; g < genre_bias_.size(); ++g)
    if (mask >> g & 1) genre += genre_bias_[g], ++count;
  if (count) genre /= count;
  // Old films that are still in a catalogue are the good ones; popular items are rated higher.
  const double n = static_cast<double>(num_items());
  const double popular = n > 1 ? 1 - 2 * rank_[static_cast<size_t>(i)] / (n - 1) : 1;
  return genre - 0.1 * year_z(year(i)) + 0.15 * popular;
}

void SyntheticModel::content_taste(int32_t u, std::vector<double>& out) const {
  // Three unit-variance terms; / sqrt(3) keeps each coordinate at unit variance.
  const double a = age_z(age(u));
  const size_t gender_id = gender_[static_cast<size_t>(u)],
               occupation_id = occupation_[static_cast<size_t>(u)];
  for (size_t k = 0; k < dim_; ++k)
    out[k] = (a_age_[k] * a + a_gender_[gender_id * dim_ + k] +
              a_occupation_[occupation_id * dim_ + k]) /
             std::sqrt(3.0);
}

void SyntheticModel::content_trait(int32_t i, std::vector<double>& out) const {
  const uint64_t mask = genres(i);
  const double y = year_z(year(i));
  const int count = __builtin_popcountll(mask);
  const double genre_w = count ? 1 / std::sqrt(static_cast<double>(count)) : 0;
  for (size_t k = 0; k < dim_; ++k) {
    double genre = 0;
    for (size_t g = 0; g < genre_names_.size(); ++g)
      if (mask >> g & 1) genre += b_genre_[g * dim_ + k];
    out[k] = (genre * genre_w + b_year_[k] * y) / std::sqrt(2.0);
  }
}

double SyntheticModel::expected(int32_t u, int32_t i) const {
  const float* t = &taste_[static_cast<size_t>(u) * dim_];
  const float* v = &trait_[static_cast<size_t>(i) * dim_];
  double dot = 0;
  for (size_t k = 0; k < dim_; ++k) dot += static_cast<double>(t[k]) * v[k];
  return kMeanRating + user_bias_[static_cast<size_t>(u)] + item_bias_[static_cast<size_t>(i)] +
         kTasteScale * dot / std::sqrt(static_cast<double>(dim_));
}

double SyntheticModel::content_expected(int32_t u, int32_t i) const {
  std::vector<double> t(dim_), v(dim_);
  content_taste(u, t);
  content_trait(i, v);
  double dot = 0;
  for (size_t k = 0; k < dim_; ++k) dot += t[k] * v[k];
  return kMeanRating + content_user_bias(u) + content_item_bias(i) +
         kTasteScale * (1 - opts_.personal) * dot / std::sqrt(static_cast<double>(dim_));
}

double SyntheticModel::genre_preference(int32_t u, int32_t g) const {
  const float* t = &taste_[static_cast<size_t>(u) * dim_];
  double dot = 0;
  for (size_t k = 0; k < dim_; ++k) dot += t[k] * b_genre_[static_cast<size_t>(g) * dim_ + k];
  return std::exp(dot / std::sqrt(static_cast<double>(dim_)));
}

}  // namespace towerrec

// SyntheticModel: the planted latent model behind `towerrec generate`. Everything is a pure
// function of SyntheticOptions (seed included): users with demographics, items with genres and a
// year, and the expected rating of any (user, item) pair.
//
//   user taste  t_u = sqrt(1-p) * c_u + sqrt(p) * z_u     c_u = A [age, gender, occupation]
//   (content) item trait  v_i = sqrt(1-p) * c_i + sqrt(p) * z_i     c_i = B [genres, year]
//   (content) expected(u, i) = mu + b_u + b_i + kTasteScale * <t_u, v_i> / sqrt(latent_dim) b_u =
//   age and occupation effects + N(0, 0.3);  b_i = genre, year and popularity effects + N(0, 0.25)
//
// with p = options.personal and z ~ N(0, I) drawn per user/item. A rating is expected + N(0,
// noise), clamped to [0.5, 5] and rounded to half stars (see SyntheticGenerator).
// content_expected() is the part a content model can know from demographics, genres, year and
// popularity alone.
//
// Memory: O((users + items) * latent_dim). Every user's and item's values come from its own seeded
// stream (mix_seed), so they do not depend on generation order. Immutable after construction and
// safe to read from several threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/options.h"

namespace towerrec {

class SyntheticModel {
 public:
  static constexpr double kMeanRating = 3.35;  // selection (popular, liked genres) adds ~0.2
  static constexpr double kTasteScale = 0.8;   // stars per unit of normalised taste/trait affinity

  // Throws UsageError naming the field when `opts` is out of range (same checks as the config).
  explicit SyntheticModel(const SyntheticOptions& opts);

  const SyntheticOptions& options() const { return opts_; }
  int32_t num_users() const { return static_cast<int32_t>(opts_.users); }
  int32_t num_items() const { return static_cast<int32_t>(opts_.items); }

  // Users (dense index u; the files use userId = u + 1).
  int32_t age(int32_t u) const { return age_[static_cast<size_t>(u)]; }
  const std::string& gender(int32_t u) const { return genders()[gender_[static_cast<size_t>(u)]]; }
  const std::string& occupation(int32_t u) const {
    return occupations()[occupation_[static_cast<size_t>(u)]];
  }
  static const std::vector<std::string>& genders();      // "F", "M"
  static const std::vector<std::string>& occupations();  // MovieLens 100K's 21, most common first

  // Items (dense index i; movieId = i + 1).
  uint64_t genres(int32_t i) const {
    return genres_[static_cast<size_t>(i)];
  }  // bit g = genre_names()[g]
  int32_t year(int32_t i) const { return year_[static_cast<size_t>(i)]; }
  // Zipf popularity weight 1 / rank^zipf (rank 1 = most popular; ranks are a seeded permutation).
  double popularity(int32_t i) const { return popularity_[static_cast<size_t>(i)]; }
  const std::vector<double>& popularity() const { return popularity_; }
  const std::vector<std::string>& genre_names() const { return genre_names_; }

  // Mean rating of u for i before noise, clamping and rounding.
  double expected(int32_t u, int32_t i) const;
  // E[expected(u, i) | demographics of u, genres/year/popularity of i]: personal parts averaged
  // out.
  double content_expected(int32_t u, int32_t i) const;
  // Unnormalised preference of u for genre g (what genre_affinity picks by): exp(<t_u,
  // B_g>/sqrt(d)).
  double genre_preference(int32_t u, int32_t g) const;

 private:
  double content_user_bias(int32_t u) const;
  double content_item_bias(int32_t i) const;
  void content_taste(int32_t u, std::vector<double>& out) const;
  void content_trait(int32_t i, std::vector<double>& out) const;

  SyntheticOptions opts_;
  size_t dim_;
  std::vector<std::string> genre_names_;
  // Planted coefficients: columns of A (age, 2 genders, 21 occupations) and B (genres, year), each
  // latent_dim long; bias effects of occupations and genres.
  std::vector<double> a_age_, a_gender_, a_occupation_, b_genre_, b_year_;
  std::vector<double> occupation_bias_, genre_bias_;
  // Per user / item.
  std::vector<int16_t> age_;
  std::vector<uint8_t> gender_, occupation_;
  std::vector<float> user_bias_, taste_;  // taste_: users x dim
  std::vector<uint64_t> genres_;
  std::vector<int16_t> year_;
  std::vector<uint32_t> rank_;  // popularity rank, 0 = most popular
  std::vector<double> popularity_;
  std::vector<float> item_bias_, trait_;  // trait_: items x dim
};

}  // namespace towerrec

// SyntheticGenerator: writes a dataset drawn from the planted SyntheticModel in the
// MovieLens-latest layout, which read_dataset reads back as format "movielens":
//   ratings.csv     userId,movieId,rating,timestamp   (by user, then movieId; ratings on the
//   half-star
//                                                      grid 0.5..5.0; timestamps in 2000..2020+)
//   movies.csv      movieId,title,genres              ("Item 17 (1994)", "Drama|Comedy", or
//                                                      "(no genres listed)")
//   users.csv       userId,age,gender,occupation
//   synthetic.json  the options used and counts (provenance; readers ignore it)
// Ids are dense index + 1. Which items a user rates: a log-normal count around ratings_per_user (at
// least min(5, items), at most items), drawn without replacement; each draw comes from the Zipf
// popularity (alias table) or, with probability genre_affinity, from a genre picked by the user's
// genre preferences and then that genre's popularity. A rating is SyntheticModel::expected plus
// N(0, noise), clamped to [0.5, 5] and rounded to half stars.
//
// Same options (seed included) => byte-identical files on every platform (core/rng.h, no std
// distributions). Ratings are streamed: memory is O(users + items), never O(ratings).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "config/options.h"
#include "core/progress.h"
#include "data/synthetic_model.h"

namespace towerrec {

struct SyntheticSummary {
  int64_t users = 0;
  int64_t items = 0;
  int64_t ratings = 0;
  double mean_rating = 0;
};

class SyntheticGenerator {
 public:
  // Builds the planted model; throws UsageError when `opts` is out of range.
  explicit SyntheticGenerator(const SyntheticOptions& opts);
  ~SyntheticGenerator();
  SyntheticGenerator(const SyntheticGenerator&) = delete;
  SyntheticGenerator& operator=(const SyntheticGenerator&) = delete;

  const SyntheticModel& model() const { return model_; }

  // Writes the files into `dir` (created if missing; existing files of the same names are replaced
  // atomically, one by one). Progress stage "generate ratings", unit "users". Throws IoError.
  SyntheticSummary write(const std::string& dir, const ProgressFn& progress = {}) const;

 private:
  class ItemSampler;
  // ratings.csv, streamed user by user; fills summary.ratings and summary.mean_rating.
  void write_ratings(const std::string& dir, const ProgressFn& progress,
                     SyntheticSummary& summary) const;

  SyntheticModel model_;
  std::unique_ptr<ItemSampler> sampler_;
};

}  // namespace towerrec

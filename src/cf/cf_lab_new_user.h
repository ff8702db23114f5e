// The course lab's closing exercise: a new user rates a handful of movies, is added to Y/R as a new
// (first) column, the model is trained on everything with mean normalisation, and the user's top
// predictions are listed. Returned as data so the CLI can print it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/options.h"
#include "core/progress.h"
#include "data/dataset.h"

namespace towerrec {

struct CfLab;

struct CfLabRating {
  int32_t movie;  // row of the lab's Y (index into small_movie_list.csv)
  float rating;   // stars
};

struct CfLabPrediction {
  int32_t movie;
  std::string title;    // "" when the lab has no titles
  float predicted;      // stars
  float rated;          // the new user's rating; 0 for movies they did not rate
  int32_t num_ratings;  // how many lab users rated the movie (before the new user)
};

struct CfLabNewUserResult {
  std::vector<CfLabPrediction> top;    // unrated movies, highest prediction first
  std::vector<CfLabPrediction> rated;  // the new user's movies, in the order given, with fits
  std::vector<double> loss;            // J per iteration
};

// The lab's example user (Toy Story 3 = 5, Persuasion = 2, ..., as in the notebook).
std::vector<CfLabRating> cf_lab_example_ratings();

// Ratings of Y/R as a sparse list: user = column, item = row, in row-major order.
Ratings cf_lab_ratings(const CfLab& lab);

// Trains on the lab data with `my` prepended as user 0 and returns its top `top_n` unrated movies,
// restricted to movies at least `min_ratings` lab users rated (the lab's second listing uses 20).
// Throws Error on a movie index out of range or a rating outside (0, 5].
CfLabNewUserResult cf_lab_new_user(const CfLab& lab, const std::vector<CfLabRating>& my,
                                   const CfOptions& opts, int64_t top_n, int64_t min_ratings = 0,
                                   const ProgressFn& progress = {});

}  // namespace towerrec

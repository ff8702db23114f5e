// The collaborative-filtering course lab's matrices (C3 W2 practice lab 1). Movies are rows, users
// are columns, as in the lab: Y and R are [num_movies, num_users].
#pragma once

#include <string>
#include <vector>

#include <Eigen/Core>

#include "config/options.h"
#include "data/dataset.h"

namespace towerrec {

struct CfLab {
  using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Matrix Y;  // [4778, 443] ratings, 0 where unrated
  Matrix R;  // [4778, 443] 1 where rated
  Matrix X;  // [4778, 10] pre-computed item features (for the cost test only)
  Matrix W;  // [443, 10]  pre-computed user weights
  Matrix b;  // [1, 443]   pre-computed user biases
  std::vector<std::string> titles;  // small_movie_list.csv titles, row order (empty if absent)
};

// Reads the lab files from `dir`; throws InputError with file:line on bad content or shape
// mismatch.
CfLab read_cf_lab(const std::string& dir);

// Y and R (and titles) as a Dataset (format "cf_lab"): one rating per cell with R == 1, value Y, in
// row-major order (movie by movie); item index = row, user index = column, and the ids are those
// indices. R must be 0 or 1; rated Y values must lie in [opts.rating_min, opts.rating_max].
Dataset read_cf_lab_dataset(const std::string& dir, const DataOptions& opts);

}  // namespace towerrec

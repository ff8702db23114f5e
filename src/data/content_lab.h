// The content-based course lab's precomputed training vectors (C3 W2 "RecSysNN" lab): one row per
// training example, user and item columns as the lab computed them, and the catalogue's item
// vectors.
#pragma once

#include <string>
#include <vector>

#include "config/options.h"
#include "data/dataset.h"
#include "data/feature_matrix.h"

namespace towerrec {

struct ContentLab {
  // Rows of content_user_train.csv / content_item_train.csv, with the header files' names.
  FeatureMatrix user_train;    // [50884, 17]: user id, rating count, rating ave, 14 genre averages
  FeatureMatrix item_train;    // [50884, 17]: movie id, year, ave rating, 14 genre flags
  std::vector<float> y_train;  // [50884] ratings (stars)
  FeatureMatrix item_vecs;     // [847, 17] one row per movie, same layout as item_train
  // The lab trains on user columns from the 4th on (index 3) and item columns from the 2nd on
  // (index 1).
  static constexpr int kUserFirstFeature = 3;
  static constexpr int kItemFirstFeature = 1;
};

// Reads content_user_train.csv, content_item_train.csv, content_y_train.csv, content_item_vecs.csv
// and the two *_header.txt files from `dir`; throws InputError with file:line on bad content (a
// value that is not a finite number, a row of the wrong width, train files of different lengths).
ContentLab read_content_lab(const std::string& dir);

// The lab as a Dataset (format "content_lab"): rating row r = (user id in content_user_train.csv
// row r, movie id in content_item_train.csv row r, content_y_train.csv row r), in row order,
// timestamps 0. The lab repeats some rows on purpose (to boost under-represented genres), so
// repeats are kept and the duplicates policy does not apply. Items: content_movie_list.csv order
// (titles, years, genres) when present, else content_item_vecs.csv order (years and genre flags
// from the vectors). Ids must be integral; y must lie in [opts.rating_min, opts.rating_max].
Dataset read_content_lab_dataset(const std::string& dir, const DataOptions& opts);

}  // namespace towerrec

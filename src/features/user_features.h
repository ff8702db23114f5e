// The user tower's raw (unscaled) input: one row per user, dense user index order.
#pragma once

#include <map>
#include <string>

#include "config/options.h"
#include "data/feature_matrix.h"

namespace towerrec {

struct Dataset;
struct RatingStats;

// Columns, in this order:
//   user.log_count               log1p(training rating count)
//   user.avg_rating              training average; the global mean without training ratings
//   user.genre_avg.<name>        average training rating of items carrying the genre (the
//                                course's feature). With no rating in the genre: the user's OWN
//                                average, not the global mean and not the course's 0. The user's
//                                average is the best guess of how they rate an unknown genre, and
//                                0 would read as "hates it" once standardised; the genre count
//                                below tells "no ratings" apart.
//   user.genre_log_count.<name>  log1p(training ratings in the genre)   [opts.genre_counts]
//   demographics                 [opts.demographics and data.user_meta has columns]
//     numeric      user.<col>, plus user.<col>_missing (0/1) when some user lacks the value.
//                  A missing value is imputed with the mean over the users rated in training
//                  (whole table when none of them has it); recorded in imputed["user.<col>"].
//     categorical  user.<col>=<category>, one-hot in the column's category order (missing: all
//                  0). Columns with more than opts.max_categories categories are left out (zip
//                  codes). A category seen only among test users still gets a column: metadata
//                  is not ratings.
FeatureMatrix build_user_features(const Dataset& data, const RatingStats& stats,
                                  const FeatureOptions& opts,
                                  std::map<std::string, double>* imputed = nullptr);

}  // namespace towerrec

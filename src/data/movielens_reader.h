// MovieLens readers share these rules: items in catalogue order (so unrated items exist), users in
// order of first appearance in the ratings file, then users known only from the users file; ratings
// in file order after the duplicates policy (data/duplicate_ratings.h). Bad input throws
// InputError.
#pragma once

#include <string>

#include "config/options.h"
#include "core/progress.h"
#include "data/dataset.h"

namespace towerrec {

// "movielens": ratings.csv (userId,movieId,rating,timestamp), movies.csv (movieId,title,genres) and
// an optional users.csv (userId,<column>,...; each column numeric if every non-empty value is a
// number, categorical otherwise). Also the layout `towerrec generate` writes.
Dataset read_movielens(const std::string& dir, const DataOptions& opts,
                       const ProgressFn& progress = {});

}  // namespace towerrec

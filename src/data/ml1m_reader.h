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

// "ml1m": ratings.dat, movies.dat (ISO-8859-1), optional users.dat, all '::'-separated. users.dat
// gives age (numeric: the dataset's age-group code), gender and occupation (categorical codes).
Dataset read_ml1m(const std::string& dir, const DataOptions& opts, const ProgressFn& progress = {});

}  // namespace towerrec

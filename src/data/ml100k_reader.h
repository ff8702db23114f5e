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

// "ml100k": u.data (tab-separated user, item, rating, timestamp), u.item ('|', ISO-8859-1, 19 genre
// flags named by u.genre or the standard list), optional u.user (id|age|gender|occupation|zip; zip
// is not kept).
Dataset read_ml100k(const std::string& dir, const DataOptions& opts,
                    const ProgressFn& progress = {});

}  // namespace towerrec

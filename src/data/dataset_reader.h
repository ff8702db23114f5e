// Reading a dataset directory into a Dataset, whatever its format. Formats are detected from the
// files present (first match wins):
//   ratings.csv (+ movies.csv, optional users.csv)       -> "movielens"  (MovieLens latest layout;
//   also
//                                                           what `towerrec generate` writes)
//   u.data (+ u.item, u.user)                             -> "ml100k"
//   ratings.dat (+ movies.dat, users.dat)                 -> "ml1m"
//   content_user_train.csv + content_item_train.csv + ... -> "content_lab"
//   small_movies_Y.csv + small_movies_R.csv               -> "cf_lab"
// Readers keep the ratings in file order (the ml100k folds and temporal ties depend on it). Bad
// input throws InputError "file:line: field 'rating': expected a number in [0.5, 5], found
// \"abc\"". The policy for every kind of bad input (duplicates, off-scale ratings, unknown items,
// headers, CRLF, BOM, truncated lines, ...) is docs/ingest.md; the readers themselves are in
// data/movielens_reader.h, ml100k_reader.h, ml1m_reader.h, content_lab.h and cf_lab.h.
#pragma once

#include <string>

#include "config/options.h"
#include "core/progress.h"
#include "data/dataset.h"

namespace towerrec {

// The file a format is recognised by: ratings.csv (movielens), u.data (ml100k), ratings.dat (ml1m),
// content_user_train.csv (content_lab, with content_item_train.csv), small_movies_Y.csv (cf_lab,
// with small_movies_R.csv). kAuto has none (nullptr).
const char* format_ratings_file(DataFormat format);

// The format of `dir` (see above; never kAuto); throws Error listing what was looked for when none
// matches.
DataFormat detect_format(const std::string& dir);

// Reads `dir` in opts.format (auto = detect_format). Uses opts.rating_min/max (UsageError when
// min > max) and opts.duplicates. `progress` gets rows read for ratings files over ~1M lines.
Dataset read_dataset(const std::string& dir, const DataOptions& opts,
                     const ProgressFn& progress = {});

}  // namespace towerrec

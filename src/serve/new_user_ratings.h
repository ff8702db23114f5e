// The ratings of users a run never saw, as `recommend --new-users FILE` takes them: CSV with the
// header `user_id,item_id,rating`, one rating per row. A row `ID,,` (item and rating empty) names a
// user with no ratings yet (they get the item-mean list). Blank lines and lines starting with '#'
// are skipped; a trailing CR is ignored.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace towerrec {

struct Dataset;

struct NewUserReadOptions {
  double rating_min = 0.5;  // the run's rating scale (data.rating_min / rating_max)
  double rating_max = 5.0;
  bool allow_labels = false;        // binary models: 0 and 1 are labels, accepted besides the scale
  bool skip_unknown_items = false;  // drop rows whose item the run does not know (counted)
};

struct NewUserRatings {
  std::vector<int64_t> ids;                 // users in order of first appearance
  std::vector<std::vector<int32_t>> items;  // per user: dense item rows of the run, file order
  std::vector<std::vector<float>> values;   // per user: ratings, parallel to items
  int64_t rows = 0;                         // rating rows read (before duplicates and skips)
  int64_t duplicates = 0;                   // (user, item) rows replaced by a later row
  int64_t unknown_items_skipped = 0;        // rows dropped by skip_unknown_items
};

// Reads `path` against the run's catalogue `run_data`. Throws IoError when unreadable, and
// InputError "path:line: ..." naming what was expected and what was found for: a missing or wrong
// header, an empty file (no rows after the header: line 0), a row without 3 fields, a non-integer
// id, a user id that is one of the run's users, an item id the run does not know (unless
// skip_unknown_items), or a rating that is not a number on the run's scale. A repeated (user, item)
// pair keeps the later row's rating.
NewUserRatings read_new_user_ratings(const std::string& path, const Dataset& run_data,
                                     const NewUserReadOptions& opts);

}  // namespace towerrec

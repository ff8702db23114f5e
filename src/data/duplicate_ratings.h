// Policy for a (user, item) pair rated more than once in a ratings file (DataOptions.duplicates):
//   last   keep the rating with the later timestamp (equal timestamps: the later line); the others
//          are removed and counted in Dataset::duplicates_dropped. File order of the kept rows is
//          preserved.
//   error  throw InputError at the later line of the earliest such pair, naming the earlier line.
#pragma once

#include <cstdint>
#include <string>

#include "config/options.h"

namespace towerrec {

struct Dataset;

struct RatingsSource {
  std::string path;        // the ratings file, for messages
  int64_t first_line = 1;  // file line of rating row 0; row r is on line first_line + r
  std::string user_field;  // "userId"
  std::string item_field;  // "movieId"
};

// Applies `policy` to data.ratings in place.
void resolve_duplicates(Dataset& data, DuplicatePolicy policy, const RatingsSource& source);

}  // namespace towerrec

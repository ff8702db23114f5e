// Train/test splits over a Dataset's rating rows. Grammar of a split spec (config key data.split,
// or
// --split on every command that reads data):
//   random:FRACTION:SEED   exactly round(FRACTION * n) ratings go to test, FRACTION in (0, 1),
//   chosen
//                          by a seeded partial Fisher-Yates shuffle on core/rng.h (not
//                          std::shuffle, whose output differs between standard libraries)
//   temporal:N             per user, the N latest ratings by timestamp go to test (equal
//   timestamps:
//                          the later row is the later rating); a user with <= N ratings keeps at
//                          least one in train (so a user with one rating has none in test)
//   ml100k:u1 .. ml100k:u5, ml100k:ua, ml100k:ub
//                          MovieLens 100K's canonical folds, rebuilt from u.data's file order
//                          (which the ml100k reader keeps as the rating row order): u{i} tests rows
//                          (i-1)*20000 .. i*20000-1; ua tests each user's 1st..10th ratings in file
//                          order, ub the 11th..20th. Needs format "ml100k" with exactly 100000
//                          rows.
// Same dataset + same spec => same split, byte for byte, on every platform.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/split_spec.h"

namespace towerrec {

struct Dataset;

// Row indices into dataset.ratings; both sorted ascending.
struct Split {
  std::vector<uint32_t> train;
  std::vector<uint32_t> test;
};

// Throws Error when the spec does not fit the data (ml100k folds on another format or row count),
// UsageError when the spec itself is invalid (e.g. built by hand with a fraction outside (0, 1)).
Split make_split(const Dataset& data, const SplitSpec& spec);

}  // namespace towerrec

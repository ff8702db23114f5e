// Train/test splits over a Dataset's rating rows. Grammar of a split spec (config key data.split, or
// --split on every command that reads data):
//   random:FRACTION:SEED   each rating goes to test with probability FRACTION (seeded; exact count
//                          round(FRACTION * n) chosen by a seeded shuffle)
//   temporal:N             per user, the N latest ratings by timestamp go to test (users with <= N
//                          ratings keep at least one in train)
//   ml100k:u1 .. ml100k:u5, ml100k:ua, ml100k:ub
//                          MovieLens 100K's canonical folds, rebuilt from u.data's file order
// Same dataset + same spec => same split, byte for byte.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace towerrec {

struct Dataset;

struct SplitSpec {
  enum class Kind { kRandom, kTemporal, kMl100k };
  Kind kind = Kind::kRandom;
  double fraction = 0.2;   // random
  uint64_t seed = 42;      // random
  int64_t n = 1;           // temporal
  std::string fold;        // ml100k: "u1".."u5", "ua", "ub"

  // Throws UsageError naming the spec and the grammar on anything malformed.
  static SplitSpec parse(const std::string& spec);
  std::string str() const;
};

// Row indices into dataset.ratings; both sorted ascending.
struct Split {
  std::vector<uint32_t> train;
  std::vector<uint32_t> test;
};

// Throws Error when the spec does not fit the data (e.g. ml100k folds on another format).
Split make_split(const Dataset& data, const SplitSpec& spec);

}  // namespace towerrec

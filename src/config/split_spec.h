// A split spec (config key data.split, or --split): its grammar, parsed and printed. The split
// itself (data/split.h) applies it to a dataset; the spec lives here so the config's validate()
// checks data.split where it was written.
#pragma once

#include <cstdint>
#include <string>

namespace towerrec {

// "random:FRACTION:SEED (FRACTION in (0,1)), temporal:N or ml100k:FOLD (u1..u5, ua, ub)"
extern const char* const kSplitGrammar;

struct SplitSpec {
  enum class Kind { kRandom, kTemporal, kMl100k };
  Kind kind = Kind::kRandom;
  double fraction = 0.2;  // random
  uint64_t seed = 42;     // random
  int64_t n = 1;          // temporal
  std::string fold;       // ml100k: "u1".."u5", "ua", "ub"

  // Throws UsageError naming `where` (the flag or config key it came from), the spec and the
  // grammar on anything malformed: `--split "random:abc": expected random:FRACTION:SEED (...) ...`.
  static SplitSpec parse(const std::string& spec, const std::string& where = "--split");
  // The canonical spec; parse(str()) gives back the same SplitSpec.
  std::string str() const;
};

}  // namespace towerrec

// Progress reporting. The library never prints: long-running work takes a ProgressFn and calls it
// now and then; the CLI turns the calls into a progress line with rate and ETA.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace towerrec {

struct Progress {
  std::string stage;   // what is being done, e.g. "generate ratings", "epoch 3/30"
  uint64_t done = 0;   // units finished so far
  uint64_t total = 0;  // units in all (0 if unknown)
  std::string unit;    // "rows", "users", ...
  std::string extra;   // free text appended to the line, e.g. "loss 0.0812"
};

using ProgressFn = std::function<void(const Progress&)>;

}  // namespace towerrec

namespace towerrec {

// One-line messages for the user ("wrote models/x/metrics.json"); the CLI prints them to stderr.
using LogFn = std::function<void(const std::string&)>;

}  // namespace towerrec

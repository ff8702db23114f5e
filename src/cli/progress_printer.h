// Turns library Progress callbacks into a status line on stderr: rate, percentage and ETA. On a
// terminal it redraws one line; otherwise (logs, CI) it prints at most one line every few seconds.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "core/progress.h"

namespace towerrec::cli {

class ProgressPrinter {
 public:
  explicit ProgressPrinter(bool quiet = false);
  ~ProgressPrinter();
  ProgressFn fn();
  void finish();

 private:
  void print(const Progress& p);
  bool quiet_;
  bool tty_;
  bool pending_newline_ = false;
  std::string stage_;
  std::chrono::steady_clock::time_point stage_start_, last_print_;
};

}  // namespace towerrec::cli

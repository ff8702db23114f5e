// How a run reports while it reads, trains or evaluates: the library never prints, so progress and
// one-line messages go to callbacks the caller passes in (the CLI prints them to stderr).
#pragma once

#include <string>

#include "core/progress.h"

namespace towerrec {

struct RunCallbacks {
  ProgressFn progress;
  LogFn log;

  // Passes `msg` to `log` when it is set.
  void say(const std::string& msg) const {
    if (log) log(msg);
  }
};

}  // namespace towerrec

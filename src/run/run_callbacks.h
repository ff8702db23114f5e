// How a run reports while it reads, trains or evaluates: the library never prints, so progress and
// one-line messages go to callbacks the caller passes in (the CLI prints them to stderr).
#pragma once

#include "core/progress.h"

namespace towerrec {

struct RunCallbacks {
  ProgressFn progress;
  LogFn log;
};

}  // namespace towerrec

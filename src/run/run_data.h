// What a finished run was trained on, rebuilt from its config.yaml exactly as training built it
// (same data, same split, features fit on the same rows): the input of the offline jobs (serve/),
// which read runs through here and never re-run training's code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/options.h"
#include "data/dataset.h"
#include "features/features.h"
#include "run/run_callbacks.h"

namespace towerrec {

struct RunData {
  std::string dir;
  RunOptions options;  // the run's config.yaml
  Dataset data;
  std::vector<uint32_t> train_rows;  // the whole training split (fit + validation)
  Features features;
};

// Throws Error naming `run_dir` when it has no config.yaml, and UsageError for a course-lab run
// (its rows are precomputed feature vectors, not users and items).
RunData load_run_data(const std::string& run_dir, const RunCallbacks& cb);

}  // namespace towerrec

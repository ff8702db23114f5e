// The checks `towerrec train --resume DIR` makes before it trains: the run's own options, a state
// to continue from, and a state written under the same config. Kept apart from training so the
// errors are the same for every caller and are raised before anything is written.
#pragma once

#include <cstdint>
#include <string>

#include "config/options.h"

namespace towerrec {

// The options to resume the run in `run_dir` with: its config.yaml, out = run_dir. Throws Error
// when there is no config.yaml.
RunOptions load_resume_options(const std::string& run_dir);

// <run_dir>/train_state.bin. Throws UsageError for model.kind cf (no per-epoch state) and Error
// when the file is missing (the run stopped before its first epoch ended).
std::string resume_state_path(const RunOptions& opts, const std::string& run_dir);

// Throws Error when `state_hash` (TrainState::config_hash of the file at `state_path`) is not
// options_fingerprint(opts): config.yaml was edited since the state was written.
void check_resume_fingerprint(uint64_t state_hash, const RunOptions& opts,
                              const std::string& state_path, const std::string& run_dir);

}  // namespace towerrec

// Ties files to the config of the run that wrote them (train_state.bin records it; `--resume`
// compares it with config.yaml), so a state is never continued under an edited config.
#pragma once

#include <cstdint>
#include <string>

#include "config/options.h"

namespace towerrec {

// FNV-1a of a text (used on the resolved config, out excluded, to tie a state to its run).
uint64_t config_fingerprint(const std::string& text);

// config_fingerprint of the resolved options minus `out`, so a run directory can be moved and
// still resumed.
uint64_t options_fingerprint(RunOptions opts);

}  // namespace towerrec

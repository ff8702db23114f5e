// TrainState: everything two-tower training needs to continue after epoch k exactly as if it had
// never stopped (`towerrec train --resume DIR`): current weights, Adam's moments and step count,
// the shuffle Rng and the permutation it shuffles in place, the epoch history and the
// early-stopping position (best epoch, best validation loss, best weights; the patience counter is
// epoch - best epoch). The run writes it to <run>/train_state.bin at the end of every epoch,
// atomically.
//
// File format (version 2, little-endian; the frame of core/framed_file.h):
//   bytes 0..7    magic "TWRSTATE"
//   bytes 8..11   uint32 format version (2; 1 lacked the averaged weights)
//   bytes 12..15  uint32 header length L
//   bytes 16..    L bytes of JSON: {"config_hash", "epochs_done", "finished", "stopped_early",
//                 "best_epoch", "best_val_loss", "adam_steps", "rng", "history": [{"epoch",
//                 "train_loss", "val_loss", "seconds", "rows_per_sec"}...]}; doubles that are not
//                 finite are the strings "inf", "-inf", "nan"
//   then          uint64 P, then P float32 each of params, Adam first moment, Adam second moment;
//                 uint64 B (0 or P), B float32 best params; uint64 A (0 or P), A float32
//                 averaged weights (train.ema_decay); uint64 R, R int32 shuffle order;
//                 uint64 FNV-1a hash of every byte before it; nothing after it.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "run/run_fingerprint.h"
#include "train/two_tower_trainer.h"

namespace towerrec {

struct TrainState {
  uint64_t config_hash = 0;  // config_fingerprint() of the run's options (checked on resume)
  int64_t epochs_done = 0;   // epochs completed; training continues with epochs_done + 1
  bool finished = false;     // the epoch loop is over (last epoch, or stopped early)
  bool stopped_early = false;
  std::vector<EpochMetrics> history;  // epochs 1..epochs_done
  int64_t best_epoch = 0;
  double best_val_loss = std::numeric_limits<double>::infinity();
  int64_t adam_steps = 0;
  std::string rng;                    // Rng::state() of the shuffle generator
  std::vector<float> params;          // [P] the weights after epoch epochs_done
  std::vector<float> adam_m, adam_v;  // [P] each
  std::vector<float> best_params;     // [P] with early stopping, else empty
  std::vector<float> average;         // [P] the moving average (train.ema_decay > 0), else empty
  std::vector<int32_t> order;         // the shuffle permutation after epoch epochs_done
};

// Writes the state atomically (core/atomic_file.h).
void save_train_state(const std::string& path, const TrainState& state);

// Reads a state file; verifies magic, version, sizes and the hash. Throws IoError when the file
// cannot be read and FormatError ("path: byte N: expected ...") when it is truncated, corrupt or
// foreign.
TrainState load_train_state(const std::string& path);

}  // namespace towerrec

// Between a training's live objects (weights, Adam, the kept snapshots, the shuffle) and a
// TrainState (train/train_state.h): what the trainer saves after an epoch and what --resume
// restores, with the checks that the state fits this model and these rows.
#pragma once

#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "model/two_tower_impl.h"
#include "train/flat_adam_impl.h"
#include "train/train_state.h"
#include "train/two_tower_trainer.h"

namespace towerrec {

// The state after `epoch`: what restore_state() needs to continue with epoch + 1. `params` are
// the live weights; best_params / average are null when the run keeps none.
TrainState capture_state(const TrainResult& result, int64_t epoch, bool finished,
                         const at::Tensor& params, const FlatAdam& adam,
                         const at::Tensor* best_params, const at::Tensor* average, const Rng& rng,
                         const std::vector<int32_t>& order);

// Restores the state into the live objects; throws Error naming what does not fit (parameter
// count, rows, snapshots the options ask for, epochs, the permutation, the Rng state).
void restore_state(const TrainState& s, TwoTowerModel::Impl& impl, FlatAdam& adam,
                   at::Tensor* best_params, at::Tensor* average, Rng& rng,
                   std::vector<int32_t>& order, int64_t epochs);

}  // namespace towerrec

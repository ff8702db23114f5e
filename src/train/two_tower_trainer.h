// Training the two-tower model: MSE between dot(user tower, item tower) and the scaled target,
// Adam, mini-batches shuffled each epoch by a seeded Rng, early stopping on a validation set. The
// step is hand-written (model/tower_impl.h) and the optimiser runs over one flat buffer
// (train/flat_adam_impl.h), so a step allocates nothing. Same data, options and thread count ->
// bit-identical losses and weights.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "config/options.h"
#include "core/progress.h"
#include "features/feature_matrix.h"
#include "model/two_tower_model.h"

namespace towerrec {

class DistContext;
struct TrainState;  // train/train_state.h

// Rating pairs: user[k] indexes a row of the user feature matrix, item[k] one of the item matrix,
// and target[k] is the rating already scaled to [-1, 1] (TargetScaler).
struct TrainPairs {
  std::vector<int32_t> user;
  std::vector<int32_t> item;
  std::vector<float> target;
  int64_t size() const { return static_cast<int64_t>(target.size()); }
};

struct EpochMetrics {
  int64_t epoch = 0;      // 1-based
  double train_loss = 0;  // mean squared error over the epoch's steps (weights changing)
  double val_loss = 0;    // mean squared error on the validation pairs after the epoch; NaN if none
  double seconds = 0;     // wall time of the epoch's training steps (validation excluded)
  double rows_per_sec = 0;  // training rows / seconds
};

struct TrainResult {
  std::vector<EpochMetrics> history;
  int64_t best_epoch = 0;    // the epoch whose weights the model holds
  double best_val_loss = 0;  // its validation loss (NaN without validation pairs)
  bool stopped_early = false;
};

// Called after every epoch with the model holding that epoch's weights (e.g. to checkpoint it).
using EpochFn = std::function<void(const EpochMetrics&, const TwoTowerModel&)>;
// Called after every epoch (after EpochFn) with the state to resume from after it
// (train/train_state.h); state.finished says whether the epoch loop is over. Building the state
// copies the weights and moments, so pass it only where it is written (rank 0).
// The callee may fill in what the trainer does not know (e.g. the config fingerprint) before
// saving.
using StateFn = std::function<void(TrainState&)>;

// Trains `model` in place. Returns with the model holding the weights of the epoch with the lowest
// validation loss; training stops after opts.patience epochs without improvement. With patience 0
// or no validation pairs every epoch runs and the last one's weights are kept. Uses opts.lr,
// weight_decay, batch_size, epochs, patience and seed; thread counts are the process's (set once by
// the caller, train/threads.h): with >= 2 torch threads the two towers of a big batch (>= 128
// rows) run side by side.
// With a distributed `dist` (train/distributed.h; null = one process) every rank must pass the same
// model, data and options: each runs its shard of every global batch of opts.batch_size rows,
// weights its batch-mean gradient by shard rows / batch rows (so the all-reduced sum is the
// gradient of the whole batch's mean, also for the short last batch) and applies the same Adam
// step; validation is scored in shards and summed. All ranks return the same weights and history,
// equal to a one-process run up to float rounding; on_epoch is called on every rank.
// With `resume` (a state saved by on_state of a run with the same model, data and options)
// training continues after its epoch as if it had never stopped: the same thread count gives the
// same bits as an uninterrupted run; a finished state runs no epoch. The returned history then
// includes the state's epochs; on_epoch and on_state are called for the new epochs only.
// Throws Error when feature widths do not match the model or a pair indexes a missing row, when
// `resume` does not fit the model or the data, and (distributed) when another rank dies or times
// out.
TrainResult train_two_tower(TwoTowerModel& model, const FeatureMatrix& user_x,
                            const FeatureMatrix& item_x, const TrainPairs& train,
                            const TrainPairs& val, const TrainOptions& opts,
                            const EpochFn& on_epoch = nullptr, const ProgressFn& progress = nullptr,
                            DistContext* dist = nullptr, const TrainState* resume = nullptr,
                            const StateFn& on_state = nullptr);

// Predictions dot(user tower(user_x[user[k]]), item tower(item_x[item[k]])) in scaled units [-1,
// 1].
std::vector<float> predict_two_tower(const TwoTowerModel& model, const FeatureMatrix& user_x,
                                     const FeatureMatrix& item_x, const std::vector<int32_t>& user,
                                     const std::vector<int32_t>& item);

// Mean squared error of the model on `pairs` (NaN when empty).
double evaluate_two_tower(const TwoTowerModel& model, const FeatureMatrix& user_x,
                          const FeatureMatrix& item_x, const TrainPairs& pairs);

}  // namespace towerrec

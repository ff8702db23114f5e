// Training the two-tower model: MSE between dot(user tower, item tower) and the scaled target,
// Adam, mini-batches shuffled each epoch by a seeded Rng, early stopping on a validation set. The
// step is hand-written (model/tower_impl.h) and the optimiser runs over one flat buffer
// (train/flat_adam_impl.h), so a step allocates nothing. Same data, options and thread count ->
// bit-identical losses and weights.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "config/options.h"
#include "core/progress.h"
#include "data/feature_matrix.h"
#include "features/sparse_rows.h"
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
  double train_loss = 0;  // the loss (train.loss) over the epoch's steps (weights changing)
  // The same loss on the validation pairs after the epoch (mse: their mean squared error; with a
  // softmax term: the row-weighted mean of batch losses over consecutive batches of
  // train.batch_size validation pairs, without extra negatives); NaN if none.
  double val_loss = 0;
  double val_recall = std::numeric_limits<double>::quiet_NaN();  // early_stopping recall only
  double seconds = 0;       // wall time of the epoch's training steps (validation excluded)
  double rows_per_sec = 0;  // training rows / seconds
  // Whether the weights after this epoch are, so far, the ones training will return: the best
  // epoch by the early-stopping criterion (validation loss, or recall), or every epoch without
  // early stopping or while no epoch has had a finite criterion. What a caller saving "the best
  // checkpoint" must follow (not its own criterion), so the file holds the model the run reports.
  bool kept = false;
};

// What the trainer needs besides features and pairs for the retrieval losses, the watched-items
// bag and recall-based early stopping. Default: none of them (the course lab's model).
struct TrainExtras {
  // Rows parallel to user_x: each user row's bag (features/watched_items.h); null: no bag. The
  // model must have been built with user_bag == user_bag->cols.
  const SparseRows* user_bag = nullptr;
  // Rows parallel to item_x: each item row's id bag (features.item_ids); null: none.
  const SparseRows* item_bag = nullptr;
  // Softmax: item_key[row] = the catalogue item (dense index) an item_x row is, for out-of-fold
  // blocks that repeat the catalogue (empty: row = item); num_items = catalogue size (0: item_x
  // rows); uniform extra negatives are item_x rows [0, num_items).
  std::vector<int32_t> item_key;
  int64_t num_items = 0;
  // The positive threshold in scaled target units (the caller scales train.positive_min_rating);
  // NaN: train.positive_min_rating as given (targets already in its units).
  double positive_min = std::numeric_limits<double>::quiet_NaN();
  // early_stopping recall: the validation Recall@K of the model as it is after an epoch (called
  // on every rank, in step; may use collectives).
  std::function<double(const TwoTowerModel&)> recall;
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
// validation loss (early_stopping recall: the highest validation recall); training stops after
// opts.patience epochs without improvement. With patience 0 or no validation pairs every epoch runs
// and the last one's weights are kept. Uses opts.lr, weight_decay, batch_size, epochs, patience,
// seed and the loss keys (loss, rating_weight, softmax_weight, temperature, positive_min_rating,
// extra_negatives, early_stopping); with loss softmax only the positive pairs are trained and
// validated on. Negatives are the other items of the global batch plus opts.extra_negatives items
// drawn uniformly per batch from a generator seeded by (seed, epoch, step), so resuming needs no
// extra state. Thread counts are the process's (set once by
// the caller, train/threads.h): with >= 2 torch threads the two towers of a big batch (>= 128
// rows) run side by side.
// With a distributed `dist` (dist/dist_context.h; null = one process) every rank must pass the same
// model, data and options: each runs its shard of every global batch of opts.batch_size rows (and
// of its extra negatives), computes the gradient of the whole batch's loss with respect to its own
// rows (the softmax sees the gathered outputs of the GLOBAL batch, so its negatives are the same
// as one process's), the gradients are all-reduced and every rank applies the same Adam step;
// validation is scored in shards (softmax: whole batches dealt round-robin) and summed. All ranks
// return the same weights and history, equal to a one-process run up to float rounding; on_epoch is
// called on every rank. With `resume` (a state saved by on_state of a run with the same model, data
// and options) training continues after its epoch as if it had never stopped: the same thread count
// gives the same bits as an uninterrupted run; a finished state runs no epoch. The returned history
// then includes the state's epochs; on_epoch and on_state are called for the new epochs only.
// Throws Error when feature widths do not match the model or a pair indexes a missing row, when
// `resume` does not fit the model or the data, and (distributed) when another rank dies or times
// out.
TrainResult train_two_tower(TwoTowerModel& model, const FeatureMatrix& user_x,
                            const FeatureMatrix& item_x, const TrainPairs& train,
                            const TrainPairs& val, const TrainOptions& opts,
                            const EpochFn& on_epoch = nullptr, const ProgressFn& progress = nullptr,
                            DistContext* dist = nullptr, const TrainState* resume = nullptr,
                            const StateFn& on_state = nullptr, const TrainExtras& extras = {});

// Rating predictions head(user tower(user_x[user[k]], bag row user[k]), item
// tower(item_x[item[k]])) in scaled units (the plain dot product, in [-1, 1], with rating_head
// "dot").
std::vector<float> predict_two_tower(const TwoTowerModel& model, const FeatureMatrix& user_x,
                                     const FeatureMatrix& item_x, const std::vector<int32_t>& user,
                                     const std::vector<int32_t>& item,
                                     const SparseRows* user_bag = nullptr,
                                     const SparseRows* item_bag = nullptr);

// Mean squared error of the model on `pairs` (NaN when empty).
double evaluate_two_tower(const TwoTowerModel& model, const FeatureMatrix& user_x,
                          const FeatureMatrix& item_x, const TrainPairs& pairs);

}  // namespace towerrec

// One mini-batch of the two-tower model without autograd: gather the batch's feature rows (and
// user bags) into reused buffers, run both towers, score, and (for training) back-propagate the
// loss into the model's flat gradient buffer. Allocates nothing per call once warmed up.
//
// Losses (train/two_tower_trainer.h, TrainOptions::loss), over a global batch of n pairs and m
// uniformly sampled negative items:
//   rating   w_r * mean_k (head(u_k, v_k) - t_k)^2, over every row;
//   softmax  w_s * mean over positive rows k (t_k >= positive_min) of the cross-entropy of
//            logits s_kj = u_k.v_j / temperature - log(n * share_j + m / num_items) over the
//            batch's items and the negatives (candidate j = k is the positive). The subtracted
//            term is the log of candidate j's expected count among the candidates (logQ
//            correction, Yi et al. 2019, for the mixture of in-batch and uniform sampling, Yang et
//            al. 2020), so popular items are not pushed down merely for being sampled often.
//            Candidates that are the row's own item at another position (accidental hits) are
//            masked out.
// With the softmax loss the user tower runs once per distinct user of the own rows (rows with the
// same user_x row index have the same dense row and bag, so the same output), and the logits, their
// exp and their gradient are computed once per distinct user: a batch of 1024 ratings repeats most
// users, and a user's rows differ only in their masks and their positive (see softmax_loss).
// Distributed (a `gather` hook): each rank runs the towers on its shard of the rows and of the
// negatives; the tower outputs of the whole global batch are gathered (an all-reduce of
// zero-padded buffers) so every rank's softmax sees every row's candidates, exactly as one
// process would; each rank back-propagates its own rows, and the caller all-reduces the gradient.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include <ATen/core/Tensor.h>

#include "data/feature_matrix.h"
#include "features/sparse_rows.h"
#include "model/tower_impl.h"
#include "model/two_tower_impl.h"
#include "train/thread_pair.h"

namespace towerrec {

struct StepLoss {
  float rating_weight = 1;   // 0: no rating term
  float softmax_weight = 0;  // 0: no softmax term
  float inv_temperature = 10;
  float positive_min = 0;  // in scaled target units
  bool softmax() const { return softmax_weight > 0; }
  bool rating() const { return rating_weight > 0; }
};

// The towers' inputs. Rows of user_bag are parallel to user_x's (null: no bag).
struct StepInputs {
  const FeatureMatrix* user_x = nullptr;
  const FeatureMatrix* item_x = nullptr;
  const SparseRows* user_bag = nullptr;
  const SparseRows* item_bag = nullptr;  // rows parallel to item_x's (null: no bag)
  // Softmax only: key[row] = the catalogue item an item_x row is (out-of-fold blocks repeat the
  // catalogue; null: row = item); share[item] = the item's share of the rows batches are drawn
  // from; num_items = catalogue size (uniform negatives are item_x rows [0, num_items)).
  const int32_t* item_key = nullptr;
  const float* item_share = nullptr;
  int64_t num_items = 0;
};

// A global batch: rows [0, n) of user/item/target, of which this rank owns [lo, hi); negatives
// [0, m) (item_x rows), of which it owns [neg_lo, neg_hi). One process owns everything.
struct StepBatch {
  const int32_t* user = nullptr;
  const int32_t* item = nullptr;
  const float* target = nullptr;  // null: forward only, no loss
  int64_t n = 0;
  int64_t lo = 0, hi = 0;
  const int32_t* negatives = nullptr;
  int64_t m = 0;
  int64_t neg_lo = 0, neg_hi = 0;
};

// Sums over this rank's own rows, so that summing over ranks counts every row once.
struct StepSums {
  double sse = 0;         // sum of (rating prediction - target)^2
  double ce = 0;          // sum of the positive rows' softmax cross-entropies
  int64_t positives = 0;  // positive rows among the own rows
  double loss = 0;        // this rank's part of the weighted batch loss (sums to the batch loss)
};

// In-place sum over ranks of a float buffer (DistContext::all_reduce_sum); null on one process.
using GatherFn = std::function<void(float*, int64_t)>;

class TwoTowerStep {
 public:
  // Scratch for batches of up to `capacity` rows and `negatives` extra items. `model` must outlive
  // the step. The step writes only model.grads, so it takes the model as const.
  TwoTowerStep(const TwoTowerModel::Impl& model, int64_t capacity, bool for_training,
               int64_t negatives = 0);

  // Runs the batch. With `backward` (needs targets), overwrites model.grads with the gradient of
  // the global batch's loss with respect to this rank's rows (summing over ranks gives the whole
  // gradient). Indices must be checked by the caller. With >= 2 torch threads and >= 128 rows the
  // towers run on two threads, and so do the two halves of the softmax's user blocks (same bits
  // as on one thread).
  StepSums run(const StepInputs& in, const StepBatch& batch, const StepLoss& loss, bool backward,
               const GatherFn& gather = nullptr);

  // The rating-loss convenience of the course lab: rows [0, n) all owned, MSE only, no bag.
  // Returns the sum of squared errors; with `backward`, the gradient of their mean.
  double run(const FeatureMatrix& user_x, const FeatureMatrix& item_x, const int32_t* user,
             const int32_t* item, const float* target, int64_t n, bool backward);

  // Rating predictions (the head on the two outputs) of the own rows of the last run, [hi - lo].
  const std::vector<float>& predictions() const { return pred_; }
  int64_t capacity() const { return capacity_; }

 private:
  // The softmax term (two_tower_step_softmax.cpp): adds its loss and, with backward, its gradient
  // into the towers' output gradients.
  void softmax_loss(const StepInputs& in, const StepBatch& b, const StepLoss& loss, bool backward,
                    const GatherFn& gather, StepSums& sums);
  // The global batch's tower outputs, U [n, dim] then V [n + m, dim] (gathered over ranks).
  float* global_outputs(const StepBatch& b, const GatherFn& gather);
  // key_scratch_ and correction_: each candidate's item key and its logQ correction.
  void candidate_keys(const StepInputs& in, const StepBatch& b);
  // One slot's exp'd logit row: adds its positive rows' cross-entropies to ce (in row order) and,
  // with backward, turns the row into the slot's gradient row.
  // One half of the softmax's blocks of slots (softmax_loss): its own logits block, its part of
  // dV and of the sums, and its slots' scratch, so that the two halves can run side by side.
  struct SoftmaxHalf {
    std::vector<float> logits;  // [min(capacity, 128), capacity + negatives]: a block of slots
    std::vector<float> dv;      // 2 x [capacity + negatives, dim]: the half's dV, a block's product
    std::vector<std::pair<int32_t, float>> hit_fix;  // a slot's masked (candidate, exp / Z_k)
    std::vector<int32_t> exact_rows;                 // a slot's rows for exact_row
    std::vector<float> exact_scratch;                // [cands]
    double ce = 0;
    int64_t own_pos = 0;
  };
  // Slots [s0, s1), a block at a time, into h: the logits, their exp, the slots' cross-entropies
  // and, with backward, their dY rows and h's dV.
  void softmax_blocks(SoftmaxHalf& h, int64_t s0, int64_t s1, const float* V, const StepBatch& b,
                      const StepLoss& loss, float gscale, bool backward);
  void slot_softmax(SoftmaxHalf& half, float* row, int64_t slot, const float* y, const float* V,
                    const StepBatch& b, const StepLoss& loss, float gscale, bool backward);
  // Fills user_slot_ / slot_user_ for the own rows users[0, r): with `share`, one slot per distinct
  // user row (first-seen order), otherwise one per row.
  void group_users(const int32_t* users, int64_t r, int64_t user_rows, bool share);
  // Row k's cross-entropy and, with backward, its gradient added to `grow` (the row's slot), from
  // scratch with the row's own masked maximum: for a row whose masked candidates hold nearly all of
  // its user's exp sum, where subtracting them from that sum would lose the normaliser's digits.
  static double exact_row(const float* u, const float* V, int64_t cands, int64_t d, int64_t self,
                          const int32_t* keys, const float* corr, float inv_t, float gscale,
                          bool backward, float* grow, std::vector<float>& scratch);

  const TwoTowerModel::Impl& model_;
  int64_t capacity_;
  int64_t max_negatives_;
  TowerBuffers user_buf_;
  TowerBuffers item_buf_;
  std::vector<float> pred_;
  // The own rows' users: user_slot_[k] = row k's slot, i.e. its row of user_buf_; slot_user_[s] =
  // the user_x row of slot s; user_mark_ [user_x rows] = a user's slot while grouping, else -1.
  std::vector<int32_t> user_slot_;
  std::vector<int32_t> slot_user_;
  std::vector<int32_t> user_mark_;
  std::vector<int64_t> slot_offsets_;  // [slots + 1]: own rows grouped by slot, ascending
  std::vector<int32_t> slot_rows_;
  // Softmax scratch: the global batch's outputs, and the two halves' buffers.
  at::Tensor all_u_;  // [capacity, dim] then [capacity + negatives, dim]
  SoftmaxHalf half_[2];
  std::vector<float> correction_;
  std::vector<int32_t> key_scratch_;
  std::vector<int32_t> hit_order_;  // candidates by (key, position): accidental-hit groups
  std::vector<int32_t> hit_group_;  // each candidate's place in hit_order_
  std::vector<float> diag_;         // [r]: each own row's shifted logit of its positive
};

}  // namespace towerrec

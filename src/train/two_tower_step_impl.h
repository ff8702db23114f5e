// One mini-batch of the two-tower model without autograd: gather the batch's feature rows into
// reused buffers, run both towers, score with the dot product, and (for training) back-propagate
// the mean squared error into the model's flat gradient buffer. Allocates nothing per call.
#pragma once

#include <cstdint>
#include <vector>

#include "features/feature_matrix.h"
#include "model/tower_impl.h"
#include "model/two_tower_impl.h"

namespace towerrec {

class TwoTowerStep {
 public:
  // Scratch for batches of up to `capacity` rows. `model` must outlive the step. The step writes
  // only model.grads (a separate buffer from the weights), so it takes the model as const.
  TwoTowerStep(const TwoTowerModel::Impl& model, int64_t capacity, bool for_training);

  // Rows k in [0, n): user_x row user[k] and item_x row item[k] (indices already checked).
  // Returns the sum over the batch of (prediction - target)^2 (0 when target is null). With
  // `backward`, overwrites model.grads with the gradient of the batch's MEAN squared error.
  // With >= 2 torch threads and >= 128 rows the towers run on two threads (same results).
  double run(const FeatureMatrix& user_x, const FeatureMatrix& item_x, const int32_t* user,
             const int32_t* item, const float* target, int64_t n, bool backward);

  // Predictions of the last run, [n] in scaled target units.
  const std::vector<float>& predictions() const { return pred_; }
  int64_t capacity() const { return capacity_; }

 private:
  const TwoTowerModel::Impl& model_;
  int64_t capacity_;
  TowerBuffers user_buf_;
  TowerBuffers item_buf_;
  std::vector<float> pred_;
};

}  // namespace towerrec

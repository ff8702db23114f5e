// Scoring rating pairs with the two towers (forward only), and the checks every entry point that
// takes features and pairs runs first. Shared by the trainer (validation) and by
// predict_two_tower / evaluate_two_tower (train/pair_scoring.cpp).
#pragma once

#include <cstdint>

#include "data/feature_matrix.h"
#include "model/two_tower_model.h"
#include "train/two_tower_step_impl.h"
#include "train/two_tower_trainer.h"

namespace towerrec {

// Rows per forward pass when only scoring (validation, prediction).
constexpr int64_t kEvalBatch = 4096;

// The feature matrices have the model's input widths; `what` names the caller in the message.
void check_inputs(const TwoTowerModel& model, const FeatureMatrix& ux, const FeatureMatrix& ix);
// Equal lengths, and every pair's rows inside the feature matrices.
void check_pairs(const TrainPairs& p, const char* what, const FeatureMatrix& ux,
                 const FeatureMatrix& ix);

// Sum of squared errors (or predictions into `pred`) over all pairs, in forward-only batches.
double score(const StepInputs& in, const int32_t* user, const int32_t* item, const float* target,
             int64_t n, TwoTowerStep& step, float* pred);

}  // namespace towerrec

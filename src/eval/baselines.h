// Non-learned reference points, fit on the same training split the model sees and scored on the
// same test split, so the comparison table says what the model adds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/options.h"
#include "core/progress.h"
#include "eval/comparison.h"

namespace towerrec {

struct Dataset;

// The four baselines, in this order (row names in the table):
//   global_mean   predicts the mean training rating; no ranking (constant scores rank nothing)
//   user_mean     the user's training mean (global mean without training ratings); no ranking
//                 (one constant per user does not order items)
//   item_mean     the item's training mean (global mean without training ratings); ranks by
//                 item mean
//   popularity    RMSE/MAE as item_mean; ranks by training rating count
// train_seconds is the time to compute the means/counts. Throws Error when train_rows or test_rows
// is empty.
std::vector<ComparisonRow> evaluate_baselines(const Dataset& data,
                                              const std::vector<uint32_t>& train_rows,
                                              const std::vector<uint32_t>& test_rows,
                                              const EvalOptions& opts,
                                              RankingMetrics* ranking = nullptr,
                                              const ProgressFn& progress = {});

}  // namespace towerrec

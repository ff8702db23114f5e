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

// The five baselines, in this order (row names in the table):
//   global_mean   predicts the mean training rating; no ranking (constant scores rank nothing)
//   user_mean     the user's training mean (global mean without training ratings); no ranking
//                 (one constant per user does not order items)
//   item_mean     the item's training mean (global mean without training ratings); ranks by
//                 item mean
//   popularity    RMSE/MAE as item_mean; ranks by training rating count
//   ease          EASE^R (eval/ease.h) with λ = opts.ease_lambda; ranking only. Over
//                 opts.ease_max_items catalogue items it is skipped: a row without figures whose
//                 note says why
// Diversity of every baseline is measured on genre vectors (none has item vectors of its own).
// train_seconds is the time to compute the means/counts. Throws Error when train_rows or test_rows
// is empty.
std::vector<ComparisonRow> evaluate_baselines(const Dataset& data,
                                              const std::vector<uint32_t>& train_rows,
                                              const std::vector<uint32_t>& test_rows,
                                              const EvalOptions& opts,
                                              RankingMetrics* ranking = nullptr,
                                              const ProgressFn& progress = {});

// The ease row alone (see above); train_seconds is the closed-form fit.
ComparisonRow evaluate_ease(const Dataset& data, const std::vector<uint32_t>& train_rows,
                            const std::vector<uint32_t>& test_rows, const EvalOptions& opts,
                            const ProgressFn& progress = {});

}  // namespace towerrec

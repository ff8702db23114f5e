// The course's first recommender: per-user linear regression on the items' known features. Each
// user u gets w_u, b_u minimising ½Σ_i rated (w_u·x_i + b_u + μ_i − y_ui)² + λ/2‖w_u‖² with X fixed
// to the item content features (cf.item_features: content), so only the user side is fitted — one
// closed-form ridge solve per user (cf/ridge_solve.h), the same solve CfModel::fold_in_user does
// for a new user. The result is an ordinary CfModel: predicted, saved, folded into and served like
// any.
#pragma once

#include <cstdint>

#include "cf/cf_model.h"
#include "config/options.h"

namespace towerrec {

struct Ratings;
struct CfHistory;

// X is row-major [n_items, f] (the run's scaled item features; copied into the model). Honours
// opts.lambda, opts.regularization (per_rating: λ·n_u), opts.bias_lambda and opts.mean_normalize
// (μ_i = the item's mean training rating, the global mean for unrated items; 0 when off);
// opts.features, solver, iterations and seed are unused. Predictions are clipped to the training
// ratings' range. `history` (optional) gets one entry: the objective above (loss) and, with
// `validation`, its RMSE in stars. Throws Error for binary options, out-of-range indices or
// non-finite values.
CfModel train_content_regression(const Ratings& train, int32_t n_users, int32_t n_items,
                                 const float* X, int64_t f, const CfOptions& opts,
                                 CfHistory* history = nullptr, const Ratings* validation = nullptr);

}  // namespace towerrec

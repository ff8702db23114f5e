// CfModel: a trained collaborative-filtering model, r̂(u, i) = w_u · x_i + b_u + μ_i (stars), or, in
// the binary variant, p(u likes i) = sigmoid(w_u · x_i + b_u + μ_i). μ_i is the item offset learned
// by mean normalisation (0 when it is off): the item's training mean rating (binary: the log-odds
// of its smoothed like rate), the global value for an item nobody rated. A user with no ratings has
// w = 0, b = 0 and so gets μ_i. Plain float arrays, no torch: predicting, folding in and saving
// need none.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "config/options.h"

namespace towerrec {

// The number of latent columns a model trained with `opts` stores: opts.features, times the samples
// averaged by solver "gibbs" ((iterations − burn_in) / thin), times opts.ensemble. An average of S
// factorisations' predictions is one factorisation with their columns side by side (the 1/S folded
// into W), so every CfModel predicts w_u · x_i + b_u + μ_i whatever trained it.
int64_t cf_stored_features(const CfOptions& opts);

// One user's parameters: w [features] and bias b.
struct CfUserParams {
  std::vector<float> w;
  float b = 0;
};

class CfModel {
 public:
  CfModel() = default;
  // Zero-initialised parameters for `n_users` x `n_items` with cf_stored_features(opts) features.
  CfModel(int32_t n_users, int32_t n_items, const CfOptions& opts);
  // The same with `features` columns: a model whose X is given rather than learned
  // (cf.item_features: content, where the width is the item feature matrix's).
  CfModel(int32_t n_users, int32_t n_items, const CfOptions& opts, int32_t features);

  int32_t num_users() const { return n_users_; }
  int32_t num_items() const { return n_items_; }
  int32_t features() const { return f_; }  // stored columns: cf_stored_features(options())
  bool binary() const { return options_.binary; }
  // False for binary models (like probabilities) and solver "wals" (implicit preferences, scored
  // for ranking only): their predictions are not star ratings, so they have no RMSE.
  bool predicts_stars() const { return !options_.binary && options_.solver != CfSolverKind::kWals; }
  const CfOptions& options() const { return options_; }

  // Star predictions are clipped to [rating_min(), rating_max()]: train_cf sets the range of the
  // training ratings (a linear model overshoots 5 stars for enthusiasts, and clipping never hurts
  // RMSE). Unbounded by default; binary models ignore it.
  float rating_min() const { return lo_; }
  float rating_max() const { return hi_; }
  void set_rating_range(float lo, float hi);

  // Prediction for one pair: stars, or a like probability in (0, 1) when binary(). Indices are
  // checked (Error on out of range).
  float predict(int32_t user, int32_t item) const;
  // predict(user[r], item[r]) for every pair.
  std::vector<float> predict(const std::vector<int32_t>& user,
                             const std::vector<int32_t>& item) const;
  // [num_items] predictions of one user for every item (ranking metrics, top-N).
  std::vector<float> scores(int32_t user) const;
  // [num_items] predictions for a user given by parameters (e.g. from fold_in_user).
  std::vector<float> scores(const CfUserParams& user) const;

  // Fits a NEW user who rated `items` with `values` (stars; binary models: 0/1 labels, or stars
  // that are thresholded at options().binary_threshold when any value is not 0 or 1) against the
  // fixed item features: ridge regression, ½Σ(w·x_i + b + μ_i − y)² + λ/2‖w‖², bias unpenalised
  // (binary: the logistic loss, solved by Newton steps). lambda < 0 means options().lambda; a
  // model trained with regularization "per_rating" multiplies it by the number of ratings, as in
  // training. No ratings: w = 0, b = 0.
  CfUserParams fold_in_user(const std::vector<int32_t>& items, const std::vector<float>& values,
                            double lambda = -1) const;

  // Writes the model atomically in core/framed_file.h's frame; format: see cf_model.cpp (magic
  // "TRCFMODL", version 3, options as JSON, then the float arrays, then the hash). Throws IoError.
  void save(const std::string& path) const;
  // Throws IoError / FormatError ("file: byte N: ...") on a missing, truncated, corrupt or foreign
  // file; a file of an older version (1, 2) gets "re-train the model (towerrec train)".
  static CfModel load(const std::string& path);

  // Parameters, row-major: W [num_users, features], b [num_users], X [num_items, features],
  // mu [num_items]. Mutable access is for the trainers.
  const std::vector<float>& user_weights() const { return W_; }
  const std::vector<float>& user_bias() const { return b_; }
  const std::vector<float>& item_features() const { return X_; }
  const std::vector<float>& item_offset() const { return mu_; }
  std::vector<float>& user_weights() { return W_; }
  std::vector<float>& user_bias() { return b_; }
  std::vector<float>& item_features() { return X_; }
  std::vector<float>& item_offset() { return mu_; }

 private:
  float raw_score(const float* w, float b, int32_t item) const;  // before the sigmoid or clip
  float output(float z) const;                                   // sigmoid or clip
  void check_user(int32_t user) const;
  void check_item(int32_t item) const;

  CfOptions options_;
  int32_t n_users_ = 0;
  int32_t n_items_ = 0;
  int32_t f_ = 0;
  float lo_ = -std::numeric_limits<float>::infinity();
  float hi_ = std::numeric_limits<float>::infinity();
  std::vector<float> W_, b_, X_, mu_;
};

}  // namespace towerrec

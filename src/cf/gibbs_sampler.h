// Bayesian probabilistic matrix factorisation (Salakhutdinov & Mnih, 2008) by Gibbs sampling: the
// Bayesian twin of ALS. Model, on targets y already offset by μ_i (mean normalisation):
//   y_ui ~ N(w_u·x_i + b_u + c_i, 1/α)        α = cf.noise_precision
//   w_u ~ N(μ_W, Λ_W⁻¹), x_i ~ N(μ_X, Λ_X⁻¹)  (μ, Λ) ~ Normal-Wishart(0, β0 = 2, I, ν0 = features)
//   b_u, c_i ~ N(0, 1/cf.bias_lambda)         (flat when 0; c_i only with cf.item_bias)
// A sweep samples (μ_W, Λ_W), then every rated user's [w_u, b_u] from its Gaussian conditional (the
// ALS normal equations with the prior as penalty, Cholesky, plus L⁻ᵀz noise), then the same for
// items. Averaging predictions over the post-burn-in samples is what beats ALS: it integrates over
// the factors' uncertainty instead of committing to one point, which on sparse users is most of the
// error.
//
// Deterministic for a seed, whatever the thread count: all random numbers of a sweep are drawn on
// the calling thread before the per-row solves run in parallel (at::parallel_for).
#pragma once

#include <cstdint>
#include <vector>

#include "config/options.h"
#include "core/rng.h"

namespace towerrec {

struct Ratings;

class GibbsSampler {
 public:
  // `y` [train.size()] are the normalised targets. Uses opts.features, seed, init_std,
  // noise_precision, bias_lambda, item_bias, burn_in, thin and iterations (the number of sweeps,
  // which sizes the average). Users and items without ratings keep zero parameters (predicted μ_i).
  // Preconditions (checked): indices in range, y.size() == train.size(), burn_in < iterations,
  // 1 <= thin <= iterations − burn_in.
  GibbsSampler(const Ratings& train, const std::vector<float>& y, int32_t n_users, int32_t n_items,
               const CfOptions& opts);
  GibbsSampler(const GibbsSampler&) = delete;
  GibbsSampler& operator=(const GibbsSampler&) = delete;

  // One sweep. Every thin-th sweep after the first burn_in is added to the average.
  void sweep();
  int64_t sweeps_done() const { return sweeps_; }
  int64_t samples_kept() const { return kept_; }

  // The current sample, row-major: W [n_users, f], b [n_users], X [n_items, f], c [n_items] (all
  // zero without cf.item_bias).
  const std::vector<float>& w() const { return W_; }
  const std::vector<float>& b() const { return b_; }
  const std::vector<float>& x() const { return X_; }
  const std::vector<float>& c() const { return c_; }

  // The posterior-mean predictor as ONE factorisation with f·S features (S kept samples):
  // (1/S) Σ_s w_s·x_s = [w_1 … w_S]/S · [x_1 … x_S], so a CfModel can store it exactly. Fills
  // W [n_users, f·S] (the 1/S folded in), X [n_items, f·S], and the averaged biases b [n_users],
  // c [n_items]. Blocks of samples not drawn yet are zero. Sizes are set here.
  void average(std::vector<float>& W, std::vector<float>& b, std::vector<float>& X,
               std::vector<float>& c) const;

  // The current sample's prediction of (user, item) without μ_i: w_u·x_i + b_u + c_i.
  double predict_current(int32_t user, int32_t item) const;

 private:
  void sample_users();
  void sample_items();

  int32_t n_users_, n_items_;
  int64_t f_;
  CfOptions opts_;
  const Ratings& train_;
  const std::vector<float>& y_;
  std::vector<int64_t> user_start_, item_start_;  // ratings grouped by user / item (group_ratings)
  std::vector<int32_t> user_order_, item_order_;
  std::vector<float> W_, b_, X_, c_;
  std::vector<float> W_keep_, X_keep_;  // kept samples side by side: [rows, f·S], unscaled
  std::vector<double> b_sum_, c_sum_;   // sums of the kept biases
  int64_t sweeps_ = 0, kept_ = 0;
  Rng rng_;
};

}  // namespace towerrec

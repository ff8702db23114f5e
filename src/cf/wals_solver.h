// Implicit weighted ALS (WALS; Hu, Koren & Volinsky 2008, "Collaborative Filtering for Implicit
// Feedback Datasets"; Rendle et al. 2022, "Revisiting the Performance of iALS"): a factorisation
// fitted to EVERY user × item cell, so its scores rank the whole catalogue (cf.solver: wals).
//   J = ½ Σ_(u,i) rated c_ui (w_u·x_i − p_ui)² + ½ w0 Σ_(u,i) unrated (w_u·x_i)² + λ/2 (ΣW² + ΣX²)
// with p_ui = 1 (cf.wals_target: binary) or the rating (rating), confidence c_ui = 1 + α r_ui
// (cf.alpha) and w0 = cf.unobserved_weight. Each half-sweep solves every row in closed form with
// the Gramian trick: the unrated cells' term w0 Σ_all x xᵀ = w0 XᵀX is one f × f matrix shared by
// all users, and each user adds (c − w0) x xᵀ for their rated items only, so a sweep costs
// O(ratings·f² + (users + items)·f³), never O(users × items). Rows run on torch's intra-op pool
// (at::parallel_for), like the ALS solver. No biases and no item offsets: the model is w_u·x_i.
#pragma once

#include <cstdint>
#include <vector>

#include "config/options.h"

namespace towerrec {

struct Ratings;
class Rng;

class WalsSolver {
 public:
  // `train`'s indices must be < n_users / n_items (checked by the caller, cf/cf_trainer.h). X
  // starts from N(0, opts.init_std²) draws of `rng`, W at 0. cf.regularization per_rating scales a
  // row's λ by its number of rated cells (ALS-WR).
  WalsSolver(const Ratings& train, int32_t n_users, int32_t n_items, const CfOptions& opts,
             Rng& rng);

  // One sweep: every user's w given X, then every item's x given W.
  void sweep();
  // J above (double sums; the unrated cells' part by the Gramian trick).
  double loss() const;
  // RMSE of w_u·x_i against the target p of held-out rated cells (the fit of unseen positives).
  double validation_rmse(const Ratings& val) const;

  const std::vector<float>& user_factors() const { return W_; }  // [n_users, f]
  const std::vector<float>& item_factors() const { return X_; }  // [n_items, f]

 private:
  void solve_side(const std::vector<int64_t>& start, const std::vector<int32_t>& other,
                  const std::vector<float>& conf, const std::vector<float>& target,
                  const std::vector<float>& fixed, int32_t n_fixed, std::vector<float>& out,
                  int32_t n_out) const;

  int64_t f_;
  int32_t n_users_, n_items_;
  double lambda_, w0_;
  bool per_rating_;
  double alpha_;
  bool rating_target_;
  // By user: user u's cells are [u_start_[u], u_start_[u + 1]) of u_item_/u_conf_/u_target_.
  std::vector<int64_t> u_start_, i_start_;
  std::vector<int32_t> u_item_, i_user_;
  std::vector<float> u_conf_, u_target_, i_conf_, i_target_;
  std::vector<float> W_, X_;
};

}  // namespace towerrec

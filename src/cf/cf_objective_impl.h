// The pieces of the CF training objective J (cf/cf_trainer.h) shared by train_cf's solvers and
// cf_cost: per-rating targets, the data term, the L2 penalty; and the validation metric.
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

namespace towerrec {

struct Ratings;
class DistContext;

// Per-rating tensors of the loss: targets [n], and μ_i per rating [n] for the binary model's
// logits (undefined otherwise).
struct CfTargets {
  at::Tensor target, offset;
};

CfTargets make_cf_targets(const Ratings& r, const std::vector<float>& target,
                          const std::vector<float>& mu, bool binary);

// The data term of J for logits/predictions z [n] (targets follow z's dtype: cf_cost sums in
// double): ½Σ(z − y)², or Σ BCE-with-logits(z + μ_i, y) when binary.
at::Tensor cf_data_loss(const at::Tensor& z, const CfTargets& t, bool binary);

// ΣW² + ΣX², or with per_rating each row's squared norm weighted by its training rating count.
class CfPenalty {
 public:
  CfPenalty(const Ratings& r, int32_t n_users, int32_t n_items, bool per_rating);
  at::Tensor operator()(const at::Tensor& W, const at::Tensor& X) const;

 private:
  at::Tensor user_count_, item_count_;  // [n_users, 1], [n_items, 1]; undefined without per_rating
};

// Validation metric from plain parameter arrays (W [n_users, f], b [n_users], X [n_items, f],
// mu [n_items]): RMSE of the predictions clipped to [lo, hi] as CfModel::predict clips them
// (stars), or mean log-loss (binary). 0 for an empty `val`. Distributed: each rank sums its shard
// of the validation ratings and the sums are all-reduced.
double cf_validation_metric(const float* W, const float* b, const float* X, const float* mu,
                            int64_t f, bool binary, double lo, double hi, const Ratings& val,
                            const std::vector<float>& target, DistContext& ranks);

}  // namespace towerrec

#include "cf/cf_objective_impl.h"

#include <algorithm>
#include <cmath>

#include <ATen/ops/binary_cross_entropy_with_logits.h>
#include <torch/types.h>

#include "data/dataset.h"
#include "dist/dist_context.h"

namespace towerrec {

CfTargets make_cf_targets(const Ratings& r, const std::vector<float>& target,
                          const std::vector<float>& mu, bool binary) {
  const int64_t n = static_cast<int64_t>(r.size());
  CfTargets t;
  t.target = torch::from_blob(const_cast<float*>(target.data()), {n}, torch::kFloat32).clone();
  if (binary) {
    t.offset = torch::empty({n}, torch::kFloat32);
    float* off = t.offset.data_ptr<float>();
    for (int64_t k = 0; k < n; ++k) off[k] = mu[r.item[k]];
  }
  return t;
}

at::Tensor cf_data_loss(const at::Tensor& z, const CfTargets& t, bool binary) {
  const torch::Tensor y = t.target.to(z.scalar_type());
  return binary ? torch::binary_cross_entropy_with_logits(z + t.offset.to(z.scalar_type()), y, {},
                                                          {}, at::Reduction::Sum)
                : 0.5 * (z - y).square().sum();
}

CfPenalty::CfPenalty(const Ratings& r, int32_t n_users, int32_t n_items, bool per_rating) {
  if (!per_rating) return;
  user_count_ = torch::zeros({n_users, 1}, torch::kFloat32);
  item_count_ = torch::zeros({n_items, 1}, torch::kFloat32);
  float *cu = user_count_.data_ptr<float>(), *ci = item_count_.data_ptr<float>();
  for (size_t k = 0; k < r.size(); ++k) {
    cu[r.user[k]] += 1.f;
    ci[r.item[k]] += 1.f;
  }
}

at::Tensor CfPenalty::operator()(const at::Tensor& W, const at::Tensor& X) const {
  if (!user_count_.defined()) return W.square().sum() + X.square().sum();
  return (W.square() * user_count_.to(W.scalar_type())).sum() +
         (X.square() * item_count_.to(X.scalar_type())).sum();
}

double cf_validation_metric(const float* W, const float* b, const float* X, const float* mu,
                            int64_t f, bool binary, double lo, double hi, const Ratings& val,
                            const std::vector<float>& target, DistContext& ranks) {
  if (val.size() == 0) return 0.0;
  double acc = 0;
  const int64_t n_val = static_cast<int64_t>(val.size());
  for (size_t r = static_cast<size_t>(ranks.shard_begin(n_val));
       r < static_cast<size_t>(ranks.shard_end(n_val)); ++r) {
    const float* w = W + static_cast<int64_t>(val.user[r]) * f;
    const float* x = X + static_cast<int64_t>(val.item[r]) * f;
    double z = b[val.user[r]] + mu[val.item[r]];
    for (int64_t k = 0; k < f; ++k) z += static_cast<double>(w[k]) * x[k];
    if (binary) {
      // log(1 + e^-|z|) + max(z, 0) - y z: the stable form of the cross-entropy.
      acc += std::log1p(std::exp(-std::abs(z))) + std::max(z, 0.0) - target[r] * z;
    } else {
      z = std::clamp(z, lo, hi);
      acc += (z - target[r]) * (z - target[r]);
    }
  }
  ranks.all_reduce_sum(&acc, 1);
  const double mean = acc / static_cast<double>(val.size());
  return binary ? mean : std::sqrt(mean);
}

}  // namespace towerrec

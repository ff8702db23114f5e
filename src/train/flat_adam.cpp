#include "train/flat_adam_impl.h"

#include <cmath>

#include <ATen/Parallel.h>

#include "core/error.h"

namespace towerrec {
namespace {

// Parameters per chunk when the update is split between threads: below this, waking a thread costs
// more than it saves.
constexpr int64_t kGrain = 16384;

// One fused pass. __builtin_sqrtf without errno (v >= 0 never sets it) lets GCC vectorise the loop,
// and the AVX2 clone (picked at load time on CPUs that have it) doubles the lanes over the baseline
// SSE2 build.
__attribute__((target_clones("avx2", "default"), optimize("no-math-errno"))) void adam_kernel(
    float* __restrict p, const float* __restrict g, float* __restrict m, float* __restrict v,
    int64_t begin, int64_t end, float wd, float b1, float b2, float step_size, float bc2_sqrt,
    float eps) {
  const float one_minus_b1 = 1.f - b1;
  const float one_minus_b2 = 1.f - b2;
  const float inv_bc2_sqrt = 1.f / bc2_sqrt;
  for (int64_t i = begin; i < end; ++i) {
    const float grad = g[i] + wd * p[i];
    const float mi = b1 * m[i] + one_minus_b1 * grad;
    const float vi = b2 * v[i] + one_minus_b2 * grad * grad;
    m[i] = mi;
    v[i] = vi;
    p[i] -= step_size * mi / (__builtin_sqrtf(vi) * inv_bc2_sqrt + eps);
  }
}

}  // namespace

FlatAdam::FlatAdam(at::Tensor params, at::Tensor grads, const AdamOptions& opts)
    : params_(std::move(params)), grads_(std::move(grads)), opts_(opts) {
  TOWERREC_CHECK(params_.is_contiguous() && grads_.is_contiguous());
  TOWERREC_CHECK(params_.numel() == grads_.numel());
  m_.assign(static_cast<size_t>(params_.numel()), 0.f);
  v_.assign(static_cast<size_t>(params_.numel()), 0.f);
}

void FlatAdam::step() {
  ++t_;
  const double bc1 = 1 - std::pow(opts_.beta1, static_cast<double>(t_));
  const double bc2 = 1 - std::pow(opts_.beta2, static_cast<double>(t_));
  const float step_size = static_cast<float>(opts_.lr / bc1);
  const float bc2_sqrt = static_cast<float>(std::sqrt(bc2));
  float* p = params_.data_ptr<float>();
  const float* g = grads_.data_ptr<float>();
  float* m = m_.data();
  float* v = v_.data();
  const float wd = static_cast<float>(opts_.weight_decay);
  const float b1 = static_cast<float>(opts_.beta1);
  const float b2 = static_cast<float>(opts_.beta2);
  const float eps = static_cast<float>(opts_.eps);
  at::parallel_for(0, params_.numel(), kGrain, [&](int64_t begin, int64_t end) {
    adam_kernel(p, g, m, v, begin, end, wd, b1, b2, step_size, bc2_sqrt, eps);
  });
}

}  // namespace towerrec

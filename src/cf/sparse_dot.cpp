#include "cf/sparse_dot_impl.h"

#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/zeros.h>
#include <ATen/ops/zeros_like.h>
#include <torch/csrc/autograd/custom_function.h>

#include "cf/ridge_solve.h"
#include "core/error.h"

namespace towerrec {
namespace {

// Ratings per parallel task: a rating costs ~2f flops, so a few thousand amortise a task hand-off.
constexpr int64_t kDotGrain = 2048;

struct SparseDotFn : public torch::autograd::Function<SparseDotFn> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& W,
                            const at::Tensor& X, const at::Tensor& b, const SparsePairs* pairs) {
    TOWERREC_CHECK(W.is_contiguous() && X.is_contiguous() && b.is_contiguous());
    ctx->save_for_backward({W, X});
    ctx->saved_data["pairs"] = reinterpret_cast<int64_t>(pairs);
    const int64_t f = W.size(1), n = pairs->size();
    at::Tensor z = at::empty({n}, W.options());
    const float *w = W.data_ptr<float>(), *x = X.data_ptr<float>(), *bias = b.data_ptr<float>();
    float* out = z.data_ptr<float>();
    const int32_t *u = pairs->user.data(), *it = pairs->item.data();
    at::parallel_for(0, n, kDotGrain, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const float* wr = w + static_cast<int64_t>(u[r]) * f;
        const float* xr = x + static_cast<int64_t>(it[r]) * f;
        float s = 0.f;
        for (int64_t k = 0; k < f; ++k) s += wr[k] * xr[k];
        out[r] = s + bias[u[r]];
      }
    });
    return z;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_out) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &W = saved[0], &X = saved[1];
    const auto* pairs = reinterpret_cast<const SparsePairs*>(ctx->saved_data["pairs"].toInt());
    const at::Tensor g = grad_out[0].contiguous();
    const int64_t f = W.size(1);
    at::Tensor gW = at::zeros_like(W), gX = at::zeros_like(X);
    at::Tensor gb = at::zeros({W.size(0)}, W.options());
    const float *w = W.data_ptr<float>(), *x = X.data_ptr<float>(), *gr = g.data_ptr<float>();
    float *gw = gW.data_ptr<float>(), *gx = gX.data_ptr<float>(), *gbias = gb.data_ptr<float>();
    // dW[u] = Σ_r g[r] X[item[r]], db[u] = Σ_r g[r]: one user per task, no write conflicts.
    at::parallel_for(0, W.size(0), 64, [&](int64_t begin, int64_t end) {
      for (int64_t uu = begin; uu < end; ++uu) {
        float* dst = gw + uu * f;
        float sb = 0.f;
        for (int64_t k = pairs->user_start[uu]; k < pairs->user_start[uu + 1]; ++k) {
          const int32_t r = pairs->by_user[k];
          const float* xr = x + static_cast<int64_t>(pairs->item[r]) * f;
          for (int64_t j = 0; j < f; ++j) dst[j] += gr[r] * xr[j];
          sb += gr[r];
        }
        gbias[uu] = sb;
      }
    });
    at::parallel_for(0, X.size(0), 64, [&](int64_t begin, int64_t end) {
      for (int64_t ii = begin; ii < end; ++ii) {
        float* dst = gx + ii * f;
        for (int64_t k = pairs->item_start[ii]; k < pairs->item_start[ii + 1]; ++k) {
          const int32_t r = pairs->by_item[k];
          const float* wr = w + static_cast<int64_t>(pairs->user[r]) * f;
          for (int64_t j = 0; j < f; ++j) dst[j] += gr[r] * wr[j];
        }
      }
    });
    return {gW, gX, gb, at::Tensor()};
  }
};

}  // namespace

SparsePairs::SparsePairs(std::vector<int32_t> u, std::vector<int32_t> i, int32_t n_users,
                         int32_t n_items)
    : user(std::move(u)), item(std::move(i)) {
  TOWERREC_CHECK(user.size() == item.size());
  RatingGroups gu = group_ratings(user, n_users), gi = group_ratings(item, n_items);
  user_start = std::move(gu.start);
  by_user = std::move(gu.order);
  item_start = std::move(gi.start);
  by_item = std::move(gi.order);
}

at::Tensor sparse_dot(const at::Tensor& W, const at::Tensor& X, const at::Tensor& b,
                      const SparsePairs& pairs) {
  return SparseDotFn::apply(W, X, b, &pairs);
}

}  // namespace towerrec

#include "train/two_tower_step_impl.h"

#include <cstring>

#include <ATen/Parallel.h>

#include "core/error.h"

namespace towerrec {
namespace {

void gather(const FeatureMatrix& x, const int32_t* index, int64_t n, TowerBuffers& buf) {
  const int64_t cols = x.cols();
  float* dst = buf.x.data_ptr<float>();
  const size_t row_bytes = static_cast<size_t>(cols) * sizeof(float);
  for (int64_t k = 0; k < n; ++k) std::memcpy(dst + k * cols, x.row(index[k]), row_bytes);
}

// Runs fn(0) and fn(1) (user tower, item tower) side by side when there are threads for it.
template <class Fn>
void both_towers(const Fn& fn) {
  if (at::get_num_threads() >= 2 && !at::in_parallel_region()) {
    at::parallel_for(0, 2, 1, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) fn(static_cast<int>(i));
    });
  } else {
    fn(0);
    fn(1);
  }
}

}  // namespace

TwoTowerStep::TwoTowerStep(const TwoTowerModel::Impl& model, int64_t capacity, bool for_training)
    : model_(model),
      capacity_(capacity),
      user_buf_(model.user, capacity, for_training),
      item_buf_(model.item, capacity, for_training) {
  pred_.reserve(static_cast<size_t>(capacity));
}

double TwoTowerStep::run(const FeatureMatrix& user_x, const FeatureMatrix& item_x,
                         const int32_t* user, const int32_t* item, const float* target, int64_t n,
                         bool backward) {
  TOWERREC_CHECK(n >= 1 && n <= capacity_);
  TOWERREC_CHECK(user_x.cols() == model_.user_in && item_x.cols() == model_.item_in);
  TOWERREC_CHECK(!backward || (target != nullptr && !user_buf_.grad.empty()));
  both_towers([&](int side) {
    if (side == 0) {
      gather(user_x, user, n, user_buf_);
      tower_forward(model_.user, user_buf_, n);
    } else {
      gather(item_x, item, n, item_buf_);
      tower_forward(model_.item, item_buf_, n);
    }
  });

  const int64_t d = model_.opts.dim;
  const float* yu = user_buf_.y.data_ptr<float>();
  const float* yi = item_buf_.y.data_ptr<float>();
  pred_.resize(static_cast<size_t>(n));
  double sse = 0;
  for (int64_t k = 0; k < n; ++k) {
    float dot = 0;
    for (int64_t j = 0; j < d; ++j) dot += yu[k * d + j] * yi[k * d + j];
    pred_[static_cast<size_t>(k)] = dot;
    if (target) {
      const double err = static_cast<double>(dot) - target[k];
      sse += err * err;
    }
  }
  if (!backward) return sse;

  // d(mean (p - t)^2)/dp = 2 (p - t) / n; p = yu . yi.
  float* du = user_buf_.dy.data_ptr<float>();
  float* di = item_buf_.dy.data_ptr<float>();
  const float scale = 2.f / static_cast<float>(n);
  for (int64_t k = 0; k < n; ++k) {
    const float dp = scale * (pred_[static_cast<size_t>(k)] - target[k]);
    for (int64_t j = 0; j < d; ++j) {
      du[k * d + j] = dp * yi[k * d + j];
      di[k * d + j] = dp * yu[k * d + j];
    }
  }
  both_towers([&](int side) {
    if (side == 0)
      tower_backward(model_.user, user_buf_, n);
    else
      tower_backward(model_.item, item_buf_, n);
  });
  return sse;
}

}  // namespace towerrec

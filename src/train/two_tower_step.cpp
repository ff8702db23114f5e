#include "train/two_tower_step_impl.h"

#include <atomic>
#include <cstring>
#include <exception>
#include <thread>

#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include "core/error.h"

namespace towerrec {
namespace {

void gather(const FeatureMatrix& x, const int32_t* index, int64_t n, TowerBuffers& buf) {
  const int64_t cols = x.cols();
  float* dst = buf.x.data_ptr<float>();
  const size_t row_bytes = static_cast<size_t>(cols) * sizeof(float);
  for (int64_t k = 0; k < n; ++k) std::memcpy(dst + k * cols, x.row(index[k]), row_bytes);
}

// Rows below which the two towers run one after the other: handing a tower to a pool thread costs a
// wake-up (tens of microseconds); measured break-even on 2 cores is about 64 rows.
constexpr int64_t kParallelTowersMinRows = 128;

// Runs fn(0) and fn(1) (user tower, item tower), side by side when there are >= 2 torch threads and
// the batch is big enough. (at::parallel_for would not do: its OpenMP pragma lives in a header and
// this library is not built with -fopenmp, so it runs serially here.) The item tower goes to the
// inter-op pool and the calling thread does the user tower; both only read the weights and write
// their own buffers and gradient slices, so results are the same bits as the serial order.
template <class Fn>
void both_towers(int64_t n, const Fn& fn) {
  if (n < kParallelTowersMinRows || at::get_num_threads() < 2) {
    fn(0);
    fn(1);
    return;
  }
  std::atomic<bool> done{false};
  std::exception_ptr item_error, user_error;
  at::launch([&] {
    try {
      c10::InferenceMode guard;  // thread-local; the caller's does not reach the pool thread
      fn(1);
    } catch (...) {
      item_error = std::current_exception();
    }
    done.store(true, std::memory_order_release);
  });
  try {
    fn(0);
  } catch (...) {
    user_error = std::current_exception();
  }
  // The task uses this frame's variables: wait for it even when the user tower threw.
  while (!done.load(std::memory_order_acquire)) std::this_thread::yield();
  if (user_error) std::rethrow_exception(user_error);
  if (item_error) std::rethrow_exception(item_error);
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
  both_towers(n, [&](int side) {
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
  both_towers(n, [&](int side) {
    if (side == 0)
      tower_backward(model_.user, user_buf_, n);
    else
      tower_backward(model_.item, item_buf_, n);
  });
  return sse;
}

}  // namespace towerrec

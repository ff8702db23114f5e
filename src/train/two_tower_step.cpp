#include "train/two_tower_step_impl.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"

namespace towerrec {
namespace {

// Copies rows index[0..n) of x into rows [row0, row0 + n) of buf.x.
void gather(const FeatureMatrix& x, const int32_t* index, int64_t n, TowerBuffers& buf,
            int64_t row0 = 0) {
  const int64_t cols = x.cols();
  float* dst = buf.x.data_ptr<float>() + row0 * cols;
  const size_t row_bytes = static_cast<size_t>(cols) * sizeof(float);
  for (int64_t k = 0; k < n; ++k) std::memcpy(dst + k * cols, x.row(index[k]), row_bytes);
}

// Rows below which the two towers run one after the other (run_pair): handing a tower to a pool
// thread costs a wake-up (tens of microseconds); measured break-even on 2 cores is about 64 rows.
constexpr int64_t kParallelTowersMinRows = 128;

// A tower that got no rows on this rank contributes no gradient.
void zero_tower_grads(const Tower& tower) {
  for (const TowerLayer& layer : tower.layers) {
    layer.weight_grad.zero_();
    layer.bias_grad.zero_();
  }
  if (tower.has_bag()) tower.bag_grad.zero_();
}

float* fptr(const at::Tensor& t) { return t.data_ptr<float>(); }

}  // namespace

TwoTowerStep::TwoTowerStep(const TwoTowerModel::Impl& model, int64_t capacity, bool for_training,
                           int64_t negatives)
    : model_(model),
      capacity_(capacity),
      max_negatives_(negatives),
      user_buf_(model.user, capacity, for_training),
      item_buf_(model.item, capacity + negatives, for_training) {
  TOWERREC_CHECK(negatives >= 0);
  pred_.reserve(static_cast<size_t>(capacity));
}

void TwoTowerStep::group_users(const int32_t* users, int64_t r, int64_t user_rows, bool share) {
  user_slot_.resize(static_cast<size_t>(r));
  slot_user_.clear();
  if (!share) {
    for (int64_t k = 0; k < r; ++k) {
      user_slot_[static_cast<size_t>(k)] = static_cast<int32_t>(k);
      slot_user_.push_back(users[k]);
    }
    return;
  }
  if (user_mark_.size() < static_cast<size_t>(user_rows))
    user_mark_.resize(static_cast<size_t>(user_rows), -1);
  for (int64_t k = 0; k < r; ++k) {
    int32_t& mark = user_mark_[static_cast<size_t>(users[k])];
    if (mark < 0) {
      mark = static_cast<int32_t>(slot_user_.size());
      slot_user_.push_back(users[k]);
    }
    user_slot_[static_cast<size_t>(k)] = mark;
  }
  for (const int32_t u : slot_user_) user_mark_[static_cast<size_t>(u)] = -1;
}

double TwoTowerStep::run(const FeatureMatrix& user_x, const FeatureMatrix& item_x,
                         const int32_t* user, const int32_t* item, const float* target, int64_t n,
                         bool backward) {
  StepInputs in;
  in.user_x = &user_x;
  in.item_x = &item_x;
  StepBatch b;
  b.user = user;
  b.item = item;
  b.target = target;
  b.n = n;
  b.hi = n;
  return run(in, b, StepLoss{}, backward).sse;
}

StepSums TwoTowerStep::run(const StepInputs& in, const StepBatch& b, const StepLoss& loss,
                           bool backward, const GatherFn& gather_fn) {
  const int64_t r = b.hi - b.lo, mr = b.neg_hi - b.neg_lo;
  TOWERREC_CHECK(b.n >= 1 && b.n <= capacity_ && b.lo >= 0 && r >= 0 && b.hi <= b.n);
  TOWERREC_CHECK(b.m >= 0 && b.m <= max_negatives_ && b.neg_lo >= 0 && mr >= 0 && b.neg_hi <= b.m);
  TOWERREC_CHECK(in.user_x->cols() == model_.user_in && in.item_x->cols() == model_.item_in);
  TOWERREC_CHECK(!backward || (b.target != nullptr && !user_buf_.grad.empty()));
  TOWERREC_CHECK(!loss.softmax() || b.target == nullptr || in.item_share != nullptr);
  // The rating loss keeps one user tower row per batch row (its step is the cost baseline of
  // issue 20); the softmax loss shares a user's row, see the header.
  group_users(b.user + b.lo, r, in.user_x->rows, loss.softmax());
  const int64_t nu = static_cast<int64_t>(slot_user_.size());
  run_pair(r >= kParallelTowersMinRows, [&](int side) {
    if (side == 0) {
      if (nu == 0) return;
      gather(*in.user_x, slot_user_.data(), nu, user_buf_);
      fill_bag(model_.user.has_bag() ? in.user_bag : nullptr, slot_user_.data(), nu, user_buf_);
      tower_forward(model_.user, user_buf_, nu);
    } else {
      if (r + mr == 0) return;
      gather(*in.item_x, b.item + b.lo, r, item_buf_);
      if (mr > 0) gather(*in.item_x, b.negatives + b.neg_lo, mr, item_buf_, r);
      const SparseRows* bag = model_.item.has_bag() ? in.item_bag : nullptr;
      fill_bag(bag, b.item + b.lo, r, item_buf_);
      if (mr > 0) fill_bag(bag, b.negatives + b.neg_lo, mr, item_buf_, /*append=*/true);
      tower_forward(model_.item, item_buf_, r + mr);
    }
  });

  const int64_t d = model_.opts.dim;
  const float* yu = fptr(user_buf_.y);
  const float* yi = fptr(item_buf_.y);
  const bool head = model_.has_head();
  const float a = head ? fptr(model_.head_scale)[0] : 1.f;
  const float c = head ? fptr(model_.head_bias)[0] : 0.f;
  const float* p = head ? fptr(model_.head_user) : nullptr;
  const float* q = head ? fptr(model_.head_item) : nullptr;
  float* du = backward ? fptr(user_buf_.dy) : nullptr;
  float* di = backward ? fptr(item_buf_.dy) : nullptr;
  if (backward) {
    std::fill(du, du + nu * d, 0.f);
    std::fill(di, di + (r + mr) * d, 0.f);
  }
  double g_scale = 0, g_bias = 0;
  std::vector<double> g_user(head && backward ? static_cast<size_t>(d) : 0), g_item(g_user.size());

  StepSums sums;
  pred_.resize(static_cast<size_t>(r));
  for (int64_t k = 0; k < r; ++k) {
    const int64_t slot = user_slot_[static_cast<size_t>(k)];
    const float* u = yu + slot * d;
    const float* v = yi + k * d;
    float dot = 0, lin = 0;
    for (int64_t j = 0; j < d; ++j) dot += u[j] * v[j];
    if (head)
      for (int64_t j = 0; j < d; ++j) lin += p[j] * u[j] + q[j] * v[j];
    const float pred = a * dot + c + lin;
    pred_[static_cast<size_t>(k)] = pred;
    if (!b.target) continue;
    const float err = pred - b.target[b.lo + k];
    sums.sse += static_cast<double>(err) * err;
    if (!backward || !loss.rating()) continue;
    // d(w_r * mean over the global batch of err^2) / d pred.
    const float g = loss.rating_weight * 2.f * err / static_cast<float>(b.n);
    float* gu = du + slot * d;
    float* gv = di + k * d;
    for (int64_t j = 0; j < d; ++j) {
      gu[j] += g * (a * v[j] + (head ? p[j] : 0.f));
      gv[j] += g * (a * u[j] + (head ? q[j] : 0.f));
    }
    if (head) {
      g_scale += static_cast<double>(g) * dot;
      g_bias += g;
      for (int64_t j = 0; j < d; ++j) {
        g_user[static_cast<size_t>(j)] += static_cast<double>(g) * u[j];
        g_item[static_cast<size_t>(j)] += static_cast<double>(g) * v[j];
      }
    }
  }
  if (b.target && loss.rating())
    sums.loss += loss.rating_weight * sums.sse / static_cast<double>(b.n);
  if (b.target && loss.softmax()) softmax_loss(in, b, loss, backward, gather_fn, sums);
  if (!backward) return sums;

  if (head) {
    fptr(model_.head_scale_grad)[0] = static_cast<float>(g_scale);
    fptr(model_.head_bias_grad)[0] = static_cast<float>(g_bias);
    for (int64_t j = 0; j < d; ++j) {
      fptr(model_.head_user_grad)[j] = static_cast<float>(g_user[static_cast<size_t>(j)]);
      fptr(model_.head_item_grad)[j] = static_cast<float>(g_item[static_cast<size_t>(j)]);
    }
  }
  run_pair(r >= kParallelTowersMinRows, [&](int side) {
    if (side == 0) {
      if (nu > 0)
        tower_backward(model_.user, user_buf_, nu);
      else
        zero_tower_grads(model_.user);
    } else {
      if (r + mr > 0)
        tower_backward(model_.item, item_buf_, r + mr);
      else
        zero_tower_grads(model_.item);
    }
  });
  return sums;
}

}  // namespace towerrec

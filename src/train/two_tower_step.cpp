#include "train/two_tower_step_impl.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <thread>

#include <immintrin.h>

#include <ATen/Parallel.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/exp.h>
#include <c10/core/InferenceMode.h>

#include "core/blas.h"
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

// A tower that got no rows on this rank contributes no gradient.
void zero_tower_grads(const Tower& tower) {
  for (const TowerLayer& layer : tower.layers) {
    layer.weight_grad.zero_();
    layer.bias_grad.zero_();
  }
  if (tower.has_bag()) tower.bag_grad.zero_();
}

float* fptr(const at::Tensor& t) { return t.data_ptr<float>(); }

// The largest of x[0, n) (n >= 1; the same value in any order). GCC does not vectorise a float
// max reduction under the default -fno-finite-math-only, and a batch-1024 softmax takes 1M of them.
__attribute__((target("avx2"))) float logit_max_avx2(const float* x, int64_t n) {
  __m256 m = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) m = _mm256_max_ps(m, _mm256_loadu_ps(x + j));
  float lanes[8];
  _mm256_storeu_ps(lanes, m);
  float mx = lanes[0];
  for (int l = 1; l < 8; ++l) mx = std::max(mx, lanes[l]);
  for (; j < n; ++j) mx = std::max(mx, x[j]);
  return mx;
}

// Sum of x[0, n) in double, in eight interleaved lanes: one running sum is a chain of dependent
// adds (4 cycles each), which made this the costliest loop of the softmax.
__attribute__((target("avx2"))) double logit_sum_avx2(const float* x, int64_t n) {
  __m256d lo = _mm256_setzero_pd(), hi = _mm256_setzero_pd();
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const __m256 v = _mm256_loadu_ps(x + j);
    lo = _mm256_add_pd(lo, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
    hi = _mm256_add_pd(hi, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
  }
  double lanes[4];
  _mm256_storeu_pd(lanes, _mm256_add_pd(lo, hi));
  double sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  for (; j < n; ++j) sum += x[j];
  return sum;
}

float logit_max(const float* x, int64_t n) {
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) return logit_max_avx2(x, n);
  float mx = x[0];
  for (int64_t j = 1; j < n; ++j) mx = std::max(mx, x[j]);
  return mx;
}

double logit_sum(const float* x, int64_t n) {
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) return logit_sum_avx2(x, n);
  double sum = 0;
  for (int64_t j = 0; j < n; ++j) sum += x[j];
  return sum;
}

// Rows of the softmax's logit matrix per pass: a block (128 x 1024 floats, 512 KB, at batch 1024)
// stays in L2 from its product through exp to its gradient's products, where whole-matrix passes
// streamed 4 MB from memory each time. (64 and 256 timed the same, within a loaded machine's
// noise.)
constexpr int64_t kSoftmaxBlockRows = 128;

// Groups candidates by key: by_key = positions ordered by (key, position), place[j] = j's index in
// by_key. A row's accidental hits are then the neighbours in its own key's run.
void group_by_key(const int32_t* keys, int64_t cands, std::vector<int32_t>& by_key,
                  std::vector<int32_t>& place) {
  by_key.resize(static_cast<size_t>(cands));
  for (int64_t j = 0; j < cands; ++j) by_key[static_cast<size_t>(j)] = static_cast<int32_t>(j);
  std::sort(by_key.begin(), by_key.end(), [keys](int32_t x, int32_t y) {
    return keys[x] != keys[y] ? keys[x] < keys[y] : x < y;
  });
  place.resize(static_cast<size_t>(cands));
  for (int64_t q = 0; q < cands; ++q)
    place[static_cast<size_t>(by_key[static_cast<size_t>(q)])] = static_cast<int32_t>(q);
}

// row[j] = row[j] * inv_t - corr[j], then shifted by the row's maximum so that exp() cannot
// overflow. The maximum is over every candidate, masked or not: a user's rows share it.
void scale_shift(float* row, int64_t cands, const float* corr, float inv_t) {
  for (int64_t j = 0; j < cands; ++j) row[j] = row[j] * inv_t - corr[j];
  const float mx = logit_max(row, cands);
  for (int64_t j = 0; j < cands; ++j) row[j] -= mx;
}

// Counting sort of keys[0, count) in [0, buckets): offsets [buckets + 1] and the positions grouped
// by key, ascending within a key.
void bucket_rows(const int32_t* keys, int64_t count, int64_t buckets, std::vector<int64_t>& offsets,
                 std::vector<int32_t>& rows) {
  offsets.assign(static_cast<size_t>(buckets) + 1, 0);
  for (int64_t k = 0; k < count; ++k) ++offsets[static_cast<size_t>(keys[k]) + 1];
  for (int64_t q = 0; q < buckets; ++q)
    offsets[static_cast<size_t>(q) + 1] += offsets[static_cast<size_t>(q)];
  rows.resize(static_cast<size_t>(count));
  // Backwards, each bucket filled from its end: offsets[q + 1] ends at bucket q's start, i.e. the
  // offsets move up one place, and moving them back down restores them.
  for (int64_t k = count; k-- > 0;)
    rows[static_cast<size_t>(--offsets[static_cast<size_t>(keys[k]) + 1])] =
        static_cast<int32_t>(k);
  for (int64_t q = 0; q < buckets; ++q)
    offsets[static_cast<size_t>(q)] = offsets[static_cast<size_t>(q) + 1];
  offsets[static_cast<size_t>(buckets)] = count;
}

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

double TwoTowerStep::exact_row(const float* u, const float* V, int64_t cands, int64_t d,
                               int64_t self, const int32_t* keys, const float* corr, float inv_t,
                               float gscale, bool backward, float* grow) {
  exact_scratch_.resize(static_cast<size_t>(cands));
  float* s = exact_scratch_.data();
  for (int64_t j = 0; j < cands; ++j) {
    float dot = 0;
    for (int64_t i = 0; i < d; ++i) dot += u[i] * V[j * d + i];
    s[j] = j != self && keys[j] == keys[self] ? -std::numeric_limits<float>::infinity()
                                              : dot * inv_t - corr[j];
  }
  const float mx = logit_max(s, cands);  // finite: s[self] is
  const double shifted_self = static_cast<double>(s[self] - mx);
  double z = 0;
  for (int64_t j = 0; j < cands; ++j) {
    s[j] = std::exp(s[j] - mx);
    z += s[j];
  }
  if (backward) {
    const float inv = static_cast<float>(1.0 / z);
    for (int64_t j = 0; j < cands; ++j) grow[j] += gscale * s[j] * inv;
  }
  return std::log(z) - shifted_self;
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
  both_towers(r, [&](int side) {
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
  both_towers(r, [&](int side) {
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

void TwoTowerStep::softmax_loss(const StepInputs& in, const StepBatch& b, const StepLoss& loss,
                                bool backward, const GatherFn& gather_fn, StepSums& sums) {
  const int64_t n = b.n, m = b.m, cands = n + m, d = model_.opts.dim;
  const int64_t r = b.hi - b.lo, mr = b.neg_hi - b.neg_lo;
  int64_t positives = 0;  // in the global batch: every rank counts the same
  for (int64_t k = 0; k < n; ++k) positives += b.target[k] >= loss.positive_min;
  if (positives == 0) return;  // the same on every rank, so the collectives stay in step

  if (!all_u_.defined()) {
    const int64_t cap = capacity_, cap_c = capacity_ + max_negatives_;
    const auto f32 = at::TensorOptions().dtype(at::kFloat);
    all_u_ = at::empty({(cap + cap_c) * d}, f32);  // U then V, adjacent: one all-reduce
    logits_ = at::empty({std::min(cap, kSoftmaxBlockRows) * cap_c}, f32);
    dv_ = at::empty({2 * cap_c * d}, f32);  // dV, then a block's product
  }
  // The global batch's outputs: U [n, d] then V [cands, d].
  float* U = fptr(all_u_);
  float* V = U + n * d;
  if (gather_fn) std::fill(U, U + (n + cands) * d, 0.f);
  const float* yu = fptr(user_buf_.y);
  const float* yi = fptr(item_buf_.y);
  for (int64_t k = 0; k < r; ++k) {
    const float* y = yu + static_cast<int64_t>(user_slot_[static_cast<size_t>(k)]) * d;
    std::copy(y, y + d, U + (b.lo + k) * d);
  }
  std::copy(yi, yi + r * d, V + b.lo * d);
  std::copy(yi + r * d, yi + (r + mr) * d, V + (n + b.neg_lo) * d);
  if (gather_fn) gather_fn(U, (n + cands) * d);

  // Candidate keys and their logQ corrections.
  auto key_of_row = [&](int32_t row) { return in.item_key ? in.item_key[row] : row; };
  correction_.resize(static_cast<size_t>(cands));
  std::vector<int32_t>& keys = key_scratch_;
  keys.resize(static_cast<size_t>(cands));
  const double uniform = in.num_items > 0 ? static_cast<double>(m) / in.num_items : 0.0;
  for (int64_t j = 0; j < cands; ++j) {
    const int32_t key = key_of_row(j < n ? b.item[j] : b.negatives[j - n]);
    keys[static_cast<size_t>(j)] = key;
    const double expected = static_cast<double>(n) * in.item_share[key] + uniform;
    correction_[static_cast<size_t>(j)] = static_cast<float>(std::log(std::max(expected, 1e-12)));
  }

  // Logits of the own rows' distinct users (slots), Y V^T / T - correction, a block of slots at a
  // time: the product, the logits shifted by the slot's maximum, exp (ATen's vectorised kernel is
  // several times glibc's expf) and the slot's exp sum Z. Row k of slot p masks its accidental
  // hits, so its normaliser is Z_k = Z - (its masked exps), and its gradient row is
  // gscale (e / Z_k off its masks - onehot_k). The slot's gradient row, the sum of its positive
  // rows', is then gscale (e A - sum over rows k and their masked j of e_j / Z_k - sum of onehots)
  // with A = sum of 1 / Z_k: one scaling of the row plus a few fixes. Its products are
  // dY (the block's slots) = G V and dV (all candidates) += G^T Y_block, with
  // G = w_s/P (softmax - onehot)/T.
  if (r == 0 && !gather_fn) return;
  float* L = fptr(logits_);
  const float gscale = loss.softmax_weight / static_cast<float>(positives) * loss.inv_temperature;
  double ce = 0;
  int64_t own_pos = 0;
  float* du = backward ? fptr(user_buf_.dy) : nullptr;
  float* dV = fptr(dv_);
  float* part = dV + cands * d;
  if (backward) std::fill(dV, dV + cands * d, 0.f);
  const int64_t nu = static_cast<int64_t>(slot_user_.size());
  if (r > 0) group_by_key(keys.data(), cands, hit_order_, hit_group_);
  // Own rows grouped by slot, ascending within a slot.
  bucket_rows(user_slot_.data(), r, nu, slot_offsets_, slot_rows_);
  diag_.resize(static_cast<size_t>(r));
  for (int64_t s0 = 0; s0 < nu; s0 += kSoftmaxBlockRows) {
    const int64_t kb = std::min(kSoftmaxBlockRows, nu - s0);
    const float* Yb = yu + s0 * d;
    gemm_rowmajor(false, true, kb, cands, d, Yb, d, V, d, L, cands);
    for (int64_t p = 0; p < kb; ++p) {
      float* row = L + p * cands;
      scale_shift(row, cands, correction_.data(), loss.inv_temperature);
      for (int64_t q = slot_offsets_[static_cast<size_t>(s0 + p)];
           q < slot_offsets_[static_cast<size_t>(s0 + p + 1)]; ++q) {
        const int32_t k = slot_rows_[static_cast<size_t>(q)];
        diag_[static_cast<size_t>(k)] = row[b.lo + k];
      }
    }
    logits_.narrow(0, 0, kb * cands).exp_();
    for (int64_t p = 0; p < kb; ++p) {
      float* row = L + p * cands;
      const double z = logit_sum(row, cands);
      double a = 0;
      hit_fix_.clear();
      exact_rows_.clear();
      for (int64_t q = slot_offsets_[static_cast<size_t>(s0 + p)];
           q < slot_offsets_[static_cast<size_t>(s0 + p + 1)]; ++q) {
        const int32_t k = slot_rows_[static_cast<size_t>(q)];
        const int64_t self = b.lo + k;
        if (b.target[self] < loss.positive_min) continue;
        ++own_pos;
        const int32_t own_key = keys[static_cast<size_t>(self)];
        const int64_t at = hit_group_[static_cast<size_t>(self)];
        int64_t q0 = at, q1 = at + 1;  // the key's run in hit_order_: [q0, q1)
        while (q0 > 0 &&
               keys[static_cast<size_t>(hit_order_[static_cast<size_t>(q0 - 1)])] == own_key)
          --q0;
        while (q1 < cands &&
               keys[static_cast<size_t>(hit_order_[static_cast<size_t>(q1)])] == own_key)
          ++q1;
        double masked = 0;
        for (int64_t h = q0; h < q1; ++h)
          if (h != at) masked += row[hit_order_[static_cast<size_t>(h)]];
        const double zk = z - masked;
        // Subtracting loses about log2(z / zk) of the double's 53 bits: keep at least 33.
        if (!(zk > z * 0x1p-20)) {
          exact_rows_.push_back(k);
          continue;
        }
        ce += std::log(zk) - static_cast<double>(diag_[static_cast<size_t>(k)]);
        if (!backward) continue;
        a += 1.0 / zk;
        for (int64_t h = q0; h < q1; ++h)
          if (h != at) {
            const int32_t j = hit_order_[static_cast<size_t>(h)];
            hit_fix_.emplace_back(j, static_cast<float>(row[j] / zk));
          }
      }
      if (backward) {
        const float scale = gscale * static_cast<float>(a);
        for (int64_t j = 0; j < cands; ++j) row[j] *= scale;
        for (const auto& [j, e] : hit_fix_) row[j] -= gscale * e;
        for (int64_t q = slot_offsets_[static_cast<size_t>(s0 + p)];
             q < slot_offsets_[static_cast<size_t>(s0 + p + 1)]; ++q) {
          const int64_t self = b.lo + slot_rows_[static_cast<size_t>(q)];
          if (b.target[self] >= loss.positive_min) row[self] -= gscale;
        }
      }
      for (const int32_t k : exact_rows_)
        ce += exact_row(Yb + p * d, V, cands, d, b.lo + k, keys.data(), correction_.data(),
                        loss.inv_temperature, gscale, backward, row);
    }
    if (!backward) continue;
    // gemm overwrites its output: dY's rows of the block are this block's alone, dV goes through
    // `part` and is added.
    gemm_rowmajor(false, false, kb, d, cands, L, cands, V, d, part, d);
    for (int64_t i = 0; i < kb * d; ++i) du[s0 * d + i] += part[i];
    gemm_rowmajor(true, false, cands, d, kb, L, cands, Yb, d, part, d);
    for (int64_t i = 0; i < cands * d; ++i) dV[i] += part[i];
  }
  sums.ce += ce;
  sums.positives += own_pos;
  sums.loss += loss.softmax_weight * ce / static_cast<double>(positives);
  if (!backward) return;

  // dV sums over ranks: every rank's rows see every candidate.
  float* di = fptr(item_buf_.dy);
  if (gather_fn) gather_fn(dV, cands * d);
  for (int64_t i = 0; i < r * d; ++i) di[i] += dV[b.lo * d + i];
  for (int64_t i = 0; i < mr * d; ++i) di[r * d + i] += dV[(n + b.neg_lo) * d + i];
}

}  // namespace towerrec

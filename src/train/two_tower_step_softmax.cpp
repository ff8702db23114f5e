// The sampled-softmax term of TwoTowerStep (see two_tower_step_impl.h for the loss): the global
// batch's tower outputs, the candidates' keys and logQ corrections, then the logits of the own
// rows' distinct users a block at a time, their exp sums and their gradients.
#include <algorithm>
#include <cmath>
#include <limits>

#include <immintrin.h>

#include <ATen/ops/empty.h>

#include "core/blas.h"
#include "core/simd_level.h"
#include "core/vector_exp.h"
#include "train/two_tower_step_impl.h"

namespace towerrec {
namespace {

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
  if (simd_level() >= SimdLevel::kAvx2) return logit_max_avx2(x, n);
  float mx = x[0];
  for (int64_t j = 1; j < n; ++j) mx = std::max(mx, x[j]);
  return mx;
}

double logit_sum(const float* x, int64_t n) {
  if (simd_level() >= SimdLevel::kAvx2) return logit_sum_avx2(x, n);
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

// The positions [q0, q1) of hit_order that hold the key of candidate `self` (at `at` there): the
// candidate and its accidental hits.
std::pair<int64_t, int64_t> key_run(const std::vector<int32_t>& keys,
                                    const std::vector<int32_t>& hit_order, int64_t cands,
                                    int64_t at) {
  const int32_t own_key = keys[static_cast<size_t>(hit_order[static_cast<size_t>(at)])];
  int64_t q0 = at, q1 = at + 1;
  while (q0 > 0 && keys[static_cast<size_t>(hit_order[static_cast<size_t>(q0 - 1)])] == own_key)
    --q0;
  while (q1 < cands && keys[static_cast<size_t>(hit_order[static_cast<size_t>(q1)])] == own_key)
    ++q1;
  return {q0, q1};
}

}  // namespace

double TwoTowerStep::exact_row(const float* u, const float* V, int64_t cands, int64_t d,
                               int64_t self, const int32_t* keys, const float* corr, float inv_t,
                               float gscale, bool backward, float* grow,
                               std::vector<float>& scratch) {
  scratch.resize(static_cast<size_t>(cands));
  float* s = scratch.data();
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

float* TwoTowerStep::global_outputs(const StepBatch& b, const GatherFn& gather_fn) {
  const int64_t n = b.n, cands = b.n + b.m, d = model_.opts.dim;
  const int64_t r = b.hi - b.lo, mr = b.neg_hi - b.neg_lo;
  if (!all_u_.defined()) {
    const int64_t cap = capacity_, cap_c = capacity_ + max_negatives_;
    all_u_ = at::empty({(cap + cap_c) * d},
                       at::TensorOptions().dtype(at::kFloat));  // U then V,
                                                                // adjacent: one all-reduce
    for (SoftmaxHalf& h : half_) {
      h.logits.resize(static_cast<size_t>(std::min(cap, kSoftmaxBlockRows) * cap_c));
      h.dv.resize(static_cast<size_t>(2 * cap_c * d));
    }
  }
  float* U = all_u_.data_ptr<float>();
  float* V = U + n * d;
  if (gather_fn) std::fill(U, U + (n + cands) * d, 0.f);
  const float* yu = user_buf_.y.data_ptr<float>();
  const float* yi = item_buf_.y.data_ptr<float>();
  for (int64_t k = 0; k < r; ++k) {
    const float* y = yu + static_cast<int64_t>(user_slot_[static_cast<size_t>(k)]) * d;
    std::copy(y, y + d, U + (b.lo + k) * d);
  }
  std::copy(yi, yi + r * d, V + b.lo * d);
  std::copy(yi + r * d, yi + (r + mr) * d, V + (n + b.neg_lo) * d);
  if (gather_fn) gather_fn(U, (n + cands) * d);
  return U;
}

void TwoTowerStep::candidate_keys(const StepInputs& in, const StepBatch& b) {
  const int64_t n = b.n, m = b.m, cands = n + m;
  correction_.resize(static_cast<size_t>(cands));
  key_scratch_.resize(static_cast<size_t>(cands));
  const double uniform = in.num_items > 0 ? static_cast<double>(m) / in.num_items : 0.0;
  for (int64_t j = 0; j < cands; ++j) {
    const int32_t row = j < n ? b.item[j] : b.negatives[j - n];
    const int32_t key = in.item_key ? in.item_key[row] : row;
    key_scratch_[static_cast<size_t>(j)] = key;
    const double expected = static_cast<double>(n) * in.item_share[key] + uniform;
    correction_[static_cast<size_t>(j)] = static_cast<float>(std::log(std::max(expected, 1e-12)));
  }
}

void TwoTowerStep::slot_softmax(SoftmaxHalf& half, float* row, int64_t slot, const float* y,
                                const float* V, const StepBatch& b, const StepLoss& loss,
                                float gscale, bool backward) {
  const int64_t cands = b.n + b.m, d = model_.opts.dim;
  const std::vector<int32_t>& keys = key_scratch_;
  const int64_t first = slot_offsets_[static_cast<size_t>(slot)];
  const int64_t last = slot_offsets_[static_cast<size_t>(slot) + 1];
  const double z = logit_sum(row, cands);
  double a = 0;
  half.hit_fix.clear();
  half.exact_rows.clear();
  for (int64_t q = first; q < last; ++q) {
    const int32_t k = slot_rows_[static_cast<size_t>(q)];
    const int64_t self = b.lo + k;
    if (b.target[self] < loss.positive_min) continue;
    ++half.own_pos;
    const int64_t at = hit_group_[static_cast<size_t>(self)];
    const auto [q0, q1] = key_run(keys, hit_order_, cands, at);
    double masked = 0;
    for (int64_t h = q0; h < q1; ++h)
      if (h != at) masked += row[hit_order_[static_cast<size_t>(h)]];
    const double zk = z - masked;
    // Subtracting loses about log2(z / zk) of the double's 53 bits: keep at least 33.
    if (!(zk > z * 0x1p-20)) {
      half.exact_rows.push_back(k);
      continue;
    }
    half.ce += std::log(zk) - static_cast<double>(diag_[static_cast<size_t>(k)]);
    if (!backward) continue;
    a += 1.0 / zk;
    for (int64_t h = q0; h < q1; ++h)
      if (h != at) {
        const int32_t j = hit_order_[static_cast<size_t>(h)];
        half.hit_fix.emplace_back(j, static_cast<float>(row[j] / zk));
      }
  }
  if (backward) {
    const float scale = gscale * static_cast<float>(a);
    for (int64_t j = 0; j < cands; ++j) row[j] *= scale;
    for (const auto& [j, e] : half.hit_fix) row[j] -= gscale * e;
    for (int64_t q = first; q < last; ++q) {
      const int64_t self = b.lo + slot_rows_[static_cast<size_t>(q)];
      if (b.target[self] >= loss.positive_min) row[self] -= gscale;
    }
  }
  for (const int32_t k : half.exact_rows)
    half.ce += exact_row(y, V, cands, d, b.lo + k, keys.data(), correction_.data(),
                         loss.inv_temperature, gscale, backward, row, half.exact_scratch);
}

void TwoTowerStep::softmax_blocks(SoftmaxHalf& h, int64_t s0, int64_t s1, const float* V,
                                  const StepBatch& b, const StepLoss& loss, float gscale,
                                  bool backward) {
  const int64_t cands = b.n + b.m, d = model_.opts.dim;
  h.ce = 0;
  h.own_pos = 0;
  float* L = h.logits.data();
  float* dV = h.dv.data();
  float* part = dV + cands * d;
  if (backward) std::fill(dV, dV + cands * d, 0.f);
  const float* yu = user_buf_.y.data_ptr<float>();
  float* du = backward ? user_buf_.dy.data_ptr<float>() : nullptr;
  for (int64_t p0 = s0; p0 < s1; p0 += kSoftmaxBlockRows) {
    const int64_t kb = std::min(kSoftmaxBlockRows, s1 - p0);
    const float* Yb = yu + p0 * d;
    gemm_rowmajor(false, true, kb, cands, d, Yb, d, V, d, L, cands);
    for (int64_t p = 0; p < kb; ++p) {
      float* row = L + p * cands;
      scale_shift(row, cands, correction_.data(), loss.inv_temperature);
      for (int64_t q = slot_offsets_[static_cast<size_t>(p0 + p)];
           q < slot_offsets_[static_cast<size_t>(p0 + p + 1)]; ++q) {
        const int32_t k = slot_rows_[static_cast<size_t>(q)];
        diag_[static_cast<size_t>(k)] = row[b.lo + k];
      }
    }
    exp_inplace(L, kb * cands);
    for (int64_t p = 0; p < kb; ++p)
      slot_softmax(h, L + p * cands, p0 + p, Yb + p * d, V, b, loss, gscale, backward);
    if (!backward) continue;
    // gemm overwrites its output: dY's rows of the block are this block's alone, dV goes through
    // `part` and is added.
    gemm_rowmajor(false, false, kb, d, cands, L, cands, V, d, part, d);
    for (int64_t i = 0; i < kb * d; ++i) du[p0 * d + i] += part[i];
    gemm_rowmajor(true, false, cands, d, kb, L, cands, Yb, d, part, d);
    for (int64_t i = 0; i < cands * d; ++i) dV[i] += part[i];
  }
}

void TwoTowerStep::softmax_loss(const StepInputs& in, const StepBatch& b, const StepLoss& loss,
                                bool backward, const GatherFn& gather_fn, StepSums& sums) {
  const int64_t n = b.n, cands = b.n + b.m, d = model_.opts.dim;
  const int64_t r = b.hi - b.lo, mr = b.neg_hi - b.neg_lo;
  int64_t positives = 0;  // in the global batch: every rank counts the same
  for (int64_t k = 0; k < n; ++k) positives += b.target[k] >= loss.positive_min;
  if (positives == 0) return;  // the same on every rank, so the collectives stay in step

  // The global batch's outputs: U [n, d] then V [cands, d].
  const float* V = global_outputs(b, gather_fn) + n * d;
  candidate_keys(in, b);

  // Logits of the own rows' distinct users (slots), Y V^T / T - correction, a block of slots at a
  // time: the product, the logits shifted by the slot's maximum, exp (core/vector_exp.h) and the
  // slot's exp sum Z. Row k of slot p masks its accidental
  // hits, so its normaliser is Z_k = Z - (its masked exps), and its gradient row is
  // gscale (e / Z_k off its masks - onehot_k). The slot's gradient row, the sum of its positive
  // rows', is then gscale (e A - sum over rows k and their masked j of e_j / Z_k - sum of onehots)
  // with A = sum of 1 / Z_k: one scaling of the row plus a few fixes (slot_softmax). Its products
  // are dY (the block's slots) = G V and dV (all candidates) += G^T Y_block, with
  // G = w_s/P (softmax - onehot)/T.
  if (r == 0 && !gather_fn) return;
  const float gscale = loss.softmax_weight / static_cast<float>(positives) * loss.inv_temperature;
  const int64_t nu = static_cast<int64_t>(slot_user_.size());
  if (r > 0) group_by_key(key_scratch_.data(), cands, hit_order_, hit_group_);
  // Own rows grouped by slot, ascending within a slot.
  bucket_rows(user_slot_.data(), r, nu, slot_offsets_, slot_rows_);
  diag_.resize(static_cast<size_t>(r));
  // The blocks of slots in two fixed halves, each with its own logits, dV and sums, combined in
  // half order: side by side on two threads or one after the other, the same bits.
  const int64_t blocks = (nu + kSoftmaxBlockRows - 1) / kSoftmaxBlockRows;
  const int64_t mid = std::min(nu, (blocks + 1) / 2 * kSoftmaxBlockRows);
  run_pair(blocks >= 2, [&](int side) {
    softmax_blocks(half_[side], side == 0 ? 0 : mid, side == 0 ? mid : nu, V, b, loss, gscale,
                   backward);
  });
  const double ce = half_[0].ce + half_[1].ce;
  const int64_t own_pos = half_[0].own_pos + half_[1].own_pos;
  sums.ce += ce;
  sums.positives += own_pos;
  sums.loss += loss.softmax_weight * ce / static_cast<double>(positives);
  if (!backward) return;

  float* dV = half_[0].dv.data();
  if (mid < nu) {
    const float* dV1 = half_[1].dv.data();
    for (int64_t i = 0; i < cands * d; ++i) dV[i] += dV1[i];
  }
  // dV sums over ranks: every rank's rows see every candidate.
  float* di = item_buf_.dy.data_ptr<float>();
  if (gather_fn) gather_fn(dV, cands * d);
  for (int64_t i = 0; i < r * d; ++i) di[i] += dV[b.lo * d + i];
  for (int64_t i = 0; i < mr * d; ++i) di[r * d + i] += dV[(n + b.neg_lo) * d + i];
}

}  // namespace towerrec

#include "train/flat_adam_impl.h"

#include <cmath>

#include <immintrin.h>

#include "core/error.h"
#include "core/flush_denormals.h"
#include "core/simd_level.h"
#include "train/thread_pair.h"

namespace towerrec {
namespace {

// Parameters below which Adam's pass runs on one thread: handing half to a pool thread costs tens
// of microseconds, about a 130k-parameter pass.
constexpr int64_t kParallelAdamMin = 1 << 17;

struct AdamScalars {
  float wd, b1, one_minus_b1, b2, one_minus_b2, step_size, inv_bc2_sqrt, eps;
};

// The update of one parameter. Plain multiplies and adds (no fused multiply-add), so the AVX2 path
// below rounds exactly as this does (its scalar tail agrees with its vector body).
inline void adam_one(float& p, float g, float& m, float& v, const AdamScalars& s) {
  const float grad = g + s.wd * p;
  m = s.b1 * m + s.one_minus_b1 * grad;
  v = s.b2 * v + s.one_minus_b2 * (grad * grad);
  p -= s.step_size * (m / (std::sqrt(v) * s.inv_bc2_sqrt + s.eps));
}

void adam_scalar(float* p, const float* g, float* m, float* v, int64_t begin, int64_t end,
                 const AdamScalars& s) {
  for (int64_t i = begin; i < end; ++i) adam_one(p[i], g[i], m[i], v[i], s);
}

// Eight parameters at a time. GCC will not vectorise the scalar loop itself (std::sqrt keeps its
// errno path under the default -fmath-errno), and at batch 32 this pass is a third of a step.
__attribute__((target("avx2"))) void adam_avx2(float* p, const float* g, float* m, float* v,
                                               int64_t begin, int64_t end, const AdamScalars& s) {
  const __m256 wd = _mm256_set1_ps(s.wd), b1 = _mm256_set1_ps(s.b1),
               c1 = _mm256_set1_ps(s.one_minus_b1), b2 = _mm256_set1_ps(s.b2),
               c2 = _mm256_set1_ps(s.one_minus_b2), step = _mm256_set1_ps(s.step_size),
               inv = _mm256_set1_ps(s.inv_bc2_sqrt), eps = _mm256_set1_ps(s.eps);
  int64_t i = begin;
  for (; i + 8 <= end; i += 8) {
    __m256 pi = _mm256_loadu_ps(p + i);
    const __m256 grad = _mm256_add_ps(_mm256_loadu_ps(g + i), _mm256_mul_ps(wd, pi));
    const __m256 mi =
        _mm256_add_ps(_mm256_mul_ps(b1, _mm256_loadu_ps(m + i)), _mm256_mul_ps(c1, grad));
    const __m256 vi = _mm256_add_ps(_mm256_mul_ps(b2, _mm256_loadu_ps(v + i)),
                                    _mm256_mul_ps(c2, _mm256_mul_ps(grad, grad)));
    const __m256 denom = _mm256_add_ps(_mm256_mul_ps(_mm256_sqrt_ps(vi), inv), eps);
    pi = _mm256_sub_ps(pi, _mm256_mul_ps(step, _mm256_div_ps(mi, denom)));
    _mm256_storeu_ps(m + i, mi);
    _mm256_storeu_ps(v + i, vi);
    _mm256_storeu_ps(p + i, pi);
  }
  adam_scalar(p, g, m, v, i, end, s);
}

// Sixteen at a time, the same operations in the same order, so the same bits as the AVX2 path
// (fp-contract=off: AVX-512 has fused multiply-add, which GCC would otherwise contract into). The
// watched-items bag makes the parameter vector 4x the towers', and this pass grows with it.
__attribute__((target("avx512f"), optimize("fp-contract=off"))) void adam_avx512(
    float* p, const float* g, float* m, float* v, int64_t begin, int64_t end,
    const AdamScalars& s) {
  const __m512 wd = _mm512_set1_ps(s.wd), b1 = _mm512_set1_ps(s.b1),
               c1 = _mm512_set1_ps(s.one_minus_b1), b2 = _mm512_set1_ps(s.b2),
               c2 = _mm512_set1_ps(s.one_minus_b2), step = _mm512_set1_ps(s.step_size),
               inv = _mm512_set1_ps(s.inv_bc2_sqrt), eps = _mm512_set1_ps(s.eps);
  int64_t i = begin;
  for (; i + 16 <= end; i += 16) {
    __m512 pi = _mm512_loadu_ps(p + i);
    const __m512 grad = _mm512_add_ps(_mm512_loadu_ps(g + i), _mm512_mul_ps(wd, pi));
    const __m512 mi =
        _mm512_add_ps(_mm512_mul_ps(b1, _mm512_loadu_ps(m + i)), _mm512_mul_ps(c1, grad));
    const __m512 vi = _mm512_add_ps(_mm512_mul_ps(b2, _mm512_loadu_ps(v + i)),
                                    _mm512_mul_ps(c2, _mm512_mul_ps(grad, grad)));
    // maskz with every lane set is the plain square root; _mm512_sqrt_ps's undefined-vector
    // operand trips GCC 12's -Wmaybe-uninitialized under optimize().
    const __m512 root = _mm512_maskz_sqrt_ps(static_cast<__mmask16>(0xFFFF), vi);
    const __m512 denom = _mm512_add_ps(_mm512_mul_ps(root, inv), eps);
    pi = _mm512_sub_ps(pi, _mm512_mul_ps(step, _mm512_div_ps(mi, denom)));
    _mm512_storeu_ps(m + i, mi);
    _mm512_storeu_ps(v + i, vi);
    _mm512_storeu_ps(p + i, pi);
  }
  adam_scalar(p, g, m, v, i, end, s);
}

}  // namespace

FlatAdam::FlatAdam(at::Tensor params, at::Tensor grads, const AdamOptions& opts)
    : params_(std::move(params)), grads_(std::move(grads)), opts_(opts) {
  TOWERREC_CHECK(params_.is_contiguous() && grads_.is_contiguous());
  TOWERREC_CHECK(params_.numel() == grads_.numel());
  m_.assign(static_cast<size_t>(params_.numel()), 0.f);
  v_.assign(static_cast<size_t>(params_.numel()), 0.f);
}

void FlatAdam::restore(int64_t steps, const std::vector<float>& m, const std::vector<float>& v) {
  if (m.size() != m_.size() || v.size() != v_.size() || steps < 0)
    throw Error("Adam state: expected " + std::to_string(m_.size()) +
                " first and second moments and a step count >= 0, found " +
                std::to_string(m.size()) + ", " + std::to_string(v.size()) + " and " +
                std::to_string(steps));
  t_ = steps;
  m_ = m;
  v_ = v;
}

void FlatAdam::step() {
  ++t_;
  const double bc1 = 1 - std::pow(opts_.beta1, static_cast<double>(t_));
  const double bc2 = 1 - std::pow(opts_.beta2, static_cast<double>(t_));
  AdamScalars s;
  s.wd = static_cast<float>(opts_.weight_decay);
  s.b1 = static_cast<float>(opts_.beta1);
  s.one_minus_b1 = 1.f - s.b1;
  s.b2 = static_cast<float>(opts_.beta2);
  s.one_minus_b2 = 1.f - s.b2;
  s.step_size = static_cast<float>(opts_.lr / bc1);
  s.inv_bc2_sqrt = static_cast<float>(1 / std::sqrt(bc2));
  s.eps = static_cast<float>(opts_.eps);
  float* p = params_.data_ptr<float>();
  const float* g = grads_.data_ptr<float>();
  float* m = m_.data();
  float* v = v_.data();
  const SimdLevel simd = simd_level();
  const int64_t n = params_.numel();
  // Element-wise, so two halves side by side give the same bits: the pass is memory-bound (7 floats
  // of traffic per parameter) and a second core adds bandwidth.
  const int64_t mid = n / 2 / 16 * 16;
  run_pair(n >= kParallelAdamMin, [&](int side) {
    // Moments of rarely touched rows decay into denormals, which cost ~8x this pass (see the
    // header). MXCSR is per thread, so each half sets its own.
    const FlushDenormals flush;
    const int64_t lo = side == 0 ? 0 : mid, hi = side == 0 ? mid : n;
    if (simd == SimdLevel::kAvx512)
      adam_avx512(p, g, m, v, lo, hi, s);
    else if (simd >= SimdLevel::kAvx2)
      adam_avx2(p, g, m, v, lo, hi, s);
    else
      adam_scalar(p, g, m, v, lo, hi, s);
  });
}

}  // namespace towerrec

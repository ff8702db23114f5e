#include "core/vector_exp.h"

#include <cmath>

#include <immintrin.h>

#include "core/simd_level.h"

// libmvec's entry points, named by the x86-64 vector function ABI: 'e' = AVX-512, 'd' = AVX2,
// N16/N8 = lanes, v = one vector argument.
extern "C" __m512 _ZGVeN16v_expf(__m512 x);
extern "C" __m256 _ZGVdN8v_expf(__m256 x);

namespace towerrec {
namespace {

void exp_scalar(float* x, int64_t j, int64_t n) {
  for (; j < n; ++j) x[j] = std::exp(x[j]);
}

__attribute__((target("avx512f"))) void exp_avx512(float* x, int64_t n) {
  int64_t j = 0;
  for (; j + 16 <= n; j += 16) _mm512_storeu_ps(x + j, _ZGVeN16v_expf(_mm512_loadu_ps(x + j)));
  if (j < n) {
    // The tail through the same vector routine, so a value's exp does not depend on its position.
    const __mmask16 m = static_cast<__mmask16>((1u << (n - j)) - 1);
    _mm512_mask_storeu_ps(x + j, m, _ZGVeN16v_expf(_mm512_maskz_loadu_ps(m, x + j)));
  }
}

__attribute__((target("avx2"))) void exp_avx2(float* x, int64_t n) {
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) _mm256_storeu_ps(x + j, _ZGVdN8v_expf(_mm256_loadu_ps(x + j)));
  if (j < n) {
    float lanes[8] = {};
    for (int64_t i = j; i < n; ++i) lanes[i - j] = x[i];
    _mm256_storeu_ps(lanes, _ZGVdN8v_expf(_mm256_loadu_ps(lanes)));
    for (int64_t i = j; i < n; ++i) x[i] = lanes[i - j];
  }
}

}  // namespace

void exp_inplace(float* x, int64_t n) {
  const SimdLevel simd = simd_level();
  if (simd == SimdLevel::kAvx512)
    exp_avx512(x, n);
  else if (simd >= SimdLevel::kAvx2)
    exp_avx2(x, n);
  else
    exp_scalar(x, 0, n);
}

}  // namespace towerrec

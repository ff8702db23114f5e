#include "core/blas.h"

#include <chrono>
#include <climits>
#include <vector>

#include <dlfcn.h>

#include "core/error.h"

namespace towerrec {
namespace {

// The Fortran BLAS entry point (LP64: 32-bit integers).
using SgemmFn = void (*)(const char* transa, const char* transb, const int* m, const int* n,
                         const int* k, const float* alpha, const float* a, const int* lda,
                         const float* b, const int* ldb, const float* beta, float* c,
                         const int* ldc);
using SetThreadsFn = void (*)(int);
using GetIntFn = int (*)();
using GetStringFn = char* (*)();

template <typename Fn>
Fn find(const char* name) {
  return reinterpret_cast<Fn>(::dlsym(RTLD_DEFAULT, name));
}

SgemmFn sgemm() {
  static const SgemmFn fn = find<SgemmFn>("sgemm_");
  return fn;
}

std::string call_string(const char* name) {
  const auto fn = find<GetStringFn>(name);
  const char* s = fn ? fn() : nullptr;
  return s ? std::string(s) : std::string();
}

}  // namespace

void gemm_rowmajor_reference(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
                             const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
                             int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (int64_t p = 0; p < k; ++p) {
        const float x = trans_a ? a[p * lda + i] : a[i * lda + p];
        const float y = trans_b ? b[j * ldb + p] : b[p * ldb + j];
        s += static_cast<double>(x) * y;
      }
      c[i * ldc + j] = static_cast<float>(s);
    }
  }
}

void gemm_rowmajor(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a,
                   int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc) {
  TOWERREC_CHECK(m >= 1 && n >= 1 && k >= 1);
  TOWERREC_CHECK(m <= INT_MAX && n <= INT_MAX && k <= INT_MAX && lda <= INT_MAX && ldb <= INT_MAX &&
                 ldc <= INT_MAX);
  const SgemmFn fn = sgemm();
  if (!fn) {
    gemm_rowmajor_reference(trans_a, trans_b, m, n, k, a, lda, b, ldb, c, ldc);
    return;
  }
  // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: swap the operands and keep
  // each one's transpose flag (a row-major matrix read column-major is its transpose).
  const int im = static_cast<int>(m), in = static_cast<int>(n), ik = static_cast<int>(k);
  const int ia = static_cast<int>(lda), ib = static_cast<int>(ldb), ic = static_cast<int>(ldc);
  const float one = 1.f, zero = 0.f;
  const char ta = trans_a ? 'T' : 'N', tb = trans_b ? 'T' : 'N';
  fn(&tb, &ta, &in, &im, &ik, &one, b, &ib, a, &ia, &zero, c, &ic);
}

bool blas_available() { return sgemm() != nullptr; }

void blas_set_threads(int n) {
  static const auto fn = find<SetThreadsFn>("openblas_set_num_threads");
  if (fn) fn(n < 1 ? 1 : n);
}

int blas_threads() {
  static const auto fn = find<GetIntFn>("openblas_get_num_threads");
  return fn ? fn() : 0;
}

std::string blas_core_name() { return call_string("openblas_get_corename"); }

std::string blas_config() { return call_string("openblas_get_config"); }

std::string blas_library_path() {
  Dl_info info{};
  if (!sgemm() || !::dladdr(reinterpret_cast<void*>(sgemm()), &info) || !info.dli_fname) return "";
  return info.dli_fname;
}

double measure_gemm_gflops(double seconds, int64_t n) {
  TOWERREC_CHECK(n >= 1);
  const size_t size = static_cast<size_t>(n * n);
  std::vector<float> a(size), b(size), c(size);
  for (size_t i = 0; i < size; ++i) {
    a[i] = static_cast<float>(i % 13) * 0.1f - 0.6f;
    b[i] = static_cast<float>(i % 7) * 0.2f - 0.5f;
  }
  const int before = blas_threads();
  blas_set_threads(1);
  using Clock = std::chrono::steady_clock;
  gemm_rowmajor(false, false, n, n, n, a.data(), n, b.data(), n, c.data(), n);  // warm-up
  const auto t0 = Clock::now();
  int64_t reps = 0;
  double elapsed = 0;
  do {
    gemm_rowmajor(false, false, n, n, n, a.data(), n, b.data(), n, c.data(), n);
    ++reps;
    elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  } while (elapsed < seconds);
  if (before > 0) blas_set_threads(before);
  return 2.0 * static_cast<double>(n) * n * n * static_cast<double>(reps) / elapsed / 1e9;
}

}  // namespace towerrec

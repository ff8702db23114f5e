#include "model/blas_gemm.h"

#include <climits>

#include <dlfcn.h>

#include <ATen/ops/from_blob.h>
#include <ATen/ops/mm.h>

#include "core/error.h"

namespace towerrec {
namespace {

// The Fortran BLAS entry point (LP64: 32-bit integers). LibTorch links libblas.so.3 and calls it
// itself, so it is in the process; looking it up at run time keeps our link line free of a BLAS
// choice (as train/threads.cpp does for openblas_set_num_threads).
using SgemmFn = void (*)(const char* transa, const char* transb, const int* m, const int* n,
                         const int* k, const float* alpha, const float* a, const int* lda,
                         const float* b, const int* ldb, const float* beta, float* c,
                         const int* ldc);

SgemmFn find_sgemm() { return reinterpret_cast<SgemmFn>(::dlsym(RTLD_DEFAULT, "sgemm_")); }

at::Tensor view(const float* p, int64_t rows, int64_t cols, int64_t ld) {
  return at::from_blob(const_cast<float*>(p), {rows, cols}, {ld, 1}, at::kFloat);
}

}  // namespace

void gemm_rowmajor(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a,
                   int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc) {
  static const SgemmFn sgemm = find_sgemm();
  TOWERREC_CHECK(m >= 1 && n >= 1 && k >= 1);
  TOWERREC_CHECK(m <= INT_MAX && n <= INT_MAX && k <= INT_MAX && lda <= INT_MAX && ldb <= INT_MAX &&
                 ldc <= INT_MAX);
  if (sgemm) {
    // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: swap the operands and keep
    // each one's transpose flag (a row-major matrix read column-major is its transpose).
    const int im = static_cast<int>(m), in = static_cast<int>(n), ik = static_cast<int>(k);
    const int ia = static_cast<int>(lda), ib = static_cast<int>(ldb), ic = static_cast<int>(ldc);
    const float one = 1.f, zero = 0.f;
    const char ta = trans_a ? 'T' : 'N', tb = trans_b ? 'T' : 'N';
    sgemm(&tb, &ta, &in, &im, &ik, &one, b, &ib, a, &ia, &zero, c, &ic);
    return;
  }
  const at::Tensor op_a = trans_a ? view(a, k, m, lda).t() : view(a, m, k, lda);
  const at::Tensor op_b = trans_b ? view(b, n, k, ldb).t() : view(b, k, n, ldb);
  at::Tensor out = view(c, m, n, ldc);
  at::mm_out(out, op_a, op_b);
}

}  // namespace towerrec

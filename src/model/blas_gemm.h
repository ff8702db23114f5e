// Row-major single-precision matrix product straight into the BLAS that LibTorch itself calls. A
// training step at batch 32 is 16 small products; through the ATen dispatcher (at::mm_out) each
// pays for operator lookup, shape checks and view objects, which together cost about as much as the
// arithmetic. Same BLAS kernel, so results are those of at::mm.
#pragma once

#include <cstdint>

namespace towerrec {

// C[m, n] = op(A)[m, k] * op(B)[k, n], overwriting C. Row-major storage; lda, ldb and ldc are the
// row strides of the matrices as stored (A is stored [k, m] when trans_a). Single-threaded per call
// as the process's BLAS is configured (train/threads.h).
void gemm_rowmajor(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a,
                   int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc);

}  // namespace towerrec

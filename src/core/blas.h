// The process's BLAS, found at run time: the one place towerrec looks up BLAS and OpenBLAS entry
// points. LibTorch loads libblas.so.3 (OpenBLAS on Debian) and calls it itself; looking the symbols
// up with dlsym keeps every link line free of a BLAS choice and keeps this file torch-free. A
// process without a BLAS (the torch-free test binary) gets a plain-loop GEMM and "no BLAS" answers.
#pragma once

#include <cstdint>
#include <string>

namespace towerrec {

// C[m, n] = op(A)[m, k] * op(B)[k, n], overwriting C. Row-major storage; lda, ldb and ldc are the
// row strides of the matrices as stored (A is stored [k, m] when trans_a). Runs on as many threads
// as the process's BLAS is set to (blas_set_threads). Through sgemm_ directly: at batch 32 a
// training step is 16 small products, and ATen's dispatcher costs about as much as the arithmetic.
void gemm_rowmajor(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a,
                   int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc);

// The same product as a plain triple loop in double: the reference the self-check compares with,
// and the fallback when the process has no BLAS.
void gemm_rowmajor_reference(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
                             const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
                             int64_t ldc);

// True when an sgemm_ is in the process.
bool blas_available();

// OpenBLAS's own thread pool (separate from torch's). No-op / 0 when the BLAS is not OpenBLAS.
void blas_set_threads(int n);
int blas_threads();

// OpenBLAS's kernel set in use ("SkylakeX", "Haswell", "Prescott", ...), as openblas_get_corename()
// says; "" when the BLAS is not OpenBLAS.
std::string blas_core_name();

// OpenBLAS's build description (version, DYNAMIC_ARCH, threading); "" when not OpenBLAS.
std::string blas_config();

// The file the sgemm_ in use comes from (e.g. /usr/lib/x86_64-linux-gnu/openblas-pthread/...);
// "" when there is none.
std::string blas_library_path();

// Single-precision GEMM rate in GFLOP/s (2 n^3 per product) on one BLAS thread, measured for about
// `seconds` on n x n matrices. Restores the BLAS thread count afterwards.
double measure_gemm_gflops(double seconds, int64_t n = 1024);

}  // namespace towerrec

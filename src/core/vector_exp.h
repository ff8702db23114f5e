// exp() over an array of floats, in place, through glibc's vector math library (libmvec): its
// AVX-512 expf is 2.5x ATen's exp_ on one thread (115 vs 293 us for 262k floats, Xeon, issue 17)
// and, unlike ATen's, never starts OpenMP threads, so two threads may call it side by side. Max
// error 2.4 ulp against exp in double (measured on 262k values in [-80, 0]); glibc's scalar expf,
// the baseline path (core/simd_level.h), is correctly rounded to 0.5 ulp.
#pragma once

#include <cstdint>

namespace towerrec {

void exp_inplace(float* x, int64_t n);

}  // namespace towerrec

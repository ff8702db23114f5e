// Denormal floats (below 1.2e-38) cost a microcode assist of ~100 cycles per operation on x86. An
// optimiser's moments over embedding rows that a batch rarely touches decay into that range:
// measured on the Xeon (issue 17), one Adam pass over 1.1M parameters took 1.7 ms with normal
// moments and 13–15 ms with denormal ones, a third of a rating-towers step on the ML-25M-sized
// run. While alive, a FlushDenormals makes this thread's SSE/AVX arithmetic read denormal inputs
// as zero (DAZ) and write zero for denormal results (FTZ), as torch.set_flush_denormal(True) does;
// the previous mode comes back on destruction. Such values change a weight by under 1e-30 per
// step, so flushing them changes nothing a model can show.
#pragma once

#include <xmmintrin.h>

namespace towerrec {

class FlushDenormals {
 public:
  FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | kFtz | kDaz); }
  ~FlushDenormals() { _mm_setcsr(saved_); }
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;

 private:
  static constexpr unsigned kFtz = 0x8000;  // MXCSR bit 15: flush to zero
  static constexpr unsigned kDaz = 0x0040;  // MXCSR bit 6: denormals are zero
  unsigned saved_;
};

}  // namespace towerrec

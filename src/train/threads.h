// Thread settings for a process. torch::set_num_threads does not govern OpenBLAS's own pool (2
// threads by default here), and torch threads x OpenBLAS threads oversubscribe a 2-core machine
// (measured: a two-tower trainer 3.6x slower), so both are set together, once, from the config.
#pragma once

#include <cstdint>
#include <string>

namespace towerrec {

// Sets torch intra-op threads to resolve_threads(n) (core/parallel.h) and OpenBLAS threads to 1
// (torch parallelises around BLAS calls; a second level of threads only competes for the same
// cores). Returns the count set.
int set_threads(int64_t n);

// Current torch intra-op thread count.
int torch_threads();

// The LibTorch version this program was built against ("1.13.0").
std::string torch_version();

}  // namespace towerrec

#include "train/threads.h"

#include <ATen/Parallel.h>
#include <torch/version.h>

#include "core/blas.h"
#include "core/parallel.h"

namespace towerrec {

int set_threads(int64_t n) {
  const int threads = static_cast<int>(resolve_threads(n));
  at::set_num_threads(threads);
  blas_set_threads(1);
  return threads;
}

int torch_threads() { return at::get_num_threads(); }

std::string torch_version() { return TORCH_VERSION; }

}  // namespace towerrec

#include "train/threads.h"

#include <ATen/Parallel.h>
#include <torch/version.h>

#include "core/blas.h"

namespace towerrec {

void set_threads(int n) {
  at::set_num_threads(n < 1 ? 1 : n);
  blas_set_threads(1);
}

int torch_threads() { return at::get_num_threads(); }

std::string torch_version() { return TORCH_VERSION; }

}  // namespace towerrec

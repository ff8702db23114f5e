#include "train/threads.h"

#include <dlfcn.h>

#include <ATen/Parallel.h>

namespace towerrec {

void set_threads(int n) {
  at::set_num_threads(n < 1 ? 1 : n);
  // OpenBLAS is loaded by LibTorch through libblas.so.3; look its setter up at run time so the build
  // does not depend on which BLAS the alternatives system picked.
  using SetFn = void (*)(int);
  if (auto fn = reinterpret_cast<SetFn>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) fn(1);
}

int torch_threads() { return at::get_num_threads(); }

}  // namespace towerrec

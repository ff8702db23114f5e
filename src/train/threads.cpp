#include "train/threads.h"

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include <ATen/Parallel.h>
#include <torch/version.h>

#include "core/blas.h"

namespace towerrec {
namespace {

int usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

int resolve_threads(int64_t requested) {
  if (requested >= 1) return static_cast<int>(requested);
  const char* local = std::getenv("LOCAL_WORLD_SIZE");
  const int ranks = local ? std::max(1, std::atoi(local)) : 1;
  return std::max(1, usable_cpus() / ranks);
}

int set_threads(int64_t n) {
  const int threads = resolve_threads(n);
  at::set_num_threads(threads);
  blas_set_threads(1);
  return threads;
}

int torch_threads() { return at::get_num_threads(); }

std::string torch_version() { return TORCH_VERSION; }

}  // namespace towerrec

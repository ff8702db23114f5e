#include "core/parallel.h"

#include <sched.h>

#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace towerrec {

int64_t resolve_threads(int64_t requested) {
  if (requested >= 1) return requested;
  int64_t cpus = std::max(1u, std::thread::hardware_concurrency());
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) cpus = std::max(1, CPU_COUNT(&set));
  const char* local = std::getenv("LOCAL_WORLD_SIZE");
  const int64_t ranks = local ? std::max<int64_t>(1, std::atoll(local)) : 1;
  return std::max<int64_t>(1, cpus / ranks);
}

void run_threads(int64_t threads, const std::function<void(int64_t)>& body) {
  if (threads <= 1) {
    body(0);
    return;
  }
  std::exception_ptr error;
  std::mutex mu;
  auto guarded = [&](int64_t t) {
    try {
      body(t);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu);
      if (!error) error = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(threads - 1));
  try {
    for (int64_t t = 1; t < threads; ++t) pool.emplace_back(guarded, t);
  } catch (...) {
    // Could not start a thread: finish with the ones running, then report.
    for (auto& th : pool) th.join();
    throw;
  }
  guarded(0);
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace towerrec

#include "core/parallel.h"

#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace towerrec {

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

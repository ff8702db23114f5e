#include "train/thread_pair.h"

#include <atomic>
#include <exception>
#include <thread>

#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

namespace towerrec {

void run_pair(bool parallel, const std::function<void(int)>& fn) {
  if (!parallel || at::get_num_threads() < 2) {
    fn(0);
    fn(1);
    return;
  }
  std::atomic<bool> done{false};
  std::exception_ptr second_error, first_error;
  at::launch([&] {
    try {
      c10::InferenceMode guard;  // thread-local; the caller's does not reach the pool thread
      fn(1);
    } catch (...) {
      second_error = std::current_exception();
    }
    done.store(true, std::memory_order_release);
  });
  try {
    fn(0);
  } catch (...) {
    first_error = std::current_exception();
  }
  // The task uses this frame's variables: wait for it even when fn(0) threw.
  while (!done.load(std::memory_order_acquire)) std::this_thread::yield();
  if (first_error) std::rethrow_exception(first_error);
  if (second_error) std::rethrow_exception(second_error);
}

}  // namespace towerrec

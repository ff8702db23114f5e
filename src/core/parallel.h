// The one place towerrec starts worker threads. Every helper runs part of the work on the calling
// thread, waits for all threads before returning, and rethrows the first exception a thread threw
// on the calling thread (the others' exceptions are dropped). Threads are started per call: for
// work of milliseconds or more (index builds, catalogue scoring, batches of queries), not for a
// training step's microseconds.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>

namespace towerrec {

// The thread count an option's value stands for (train.threads, serve.threads): itself when >= 1;
// for 0 ("auto"), the CPUs this process may run on (its affinity mask, as torch's own default
// counts them) divided by the local ranks torchrun started (LOCAL_WORLD_SIZE), at least 1, so
// ranks on one machine share its cores instead of each taking them all.
int64_t resolve_threads(int64_t requested);

// Runs body(t) for t in [0, threads) at once, t = 0 on the calling thread. threads < 1 counts as 1.
void run_threads(int64_t threads, const std::function<void(int64_t)>& body);

// Calls fn(i, t) for every i in [0, n), indices handed out one at a time (in increasing order) to
// up to `threads` threads; t in [0, threads) names the thread (0 = the calling thread, e.g. the
// one that may report progress). After an exception the indices not yet handed out are skipped.
template <class Fn>
void parallel_for(int64_t n, int64_t threads, const Fn& fn) {
  if (n <= 0) return;
  std::atomic<int64_t> next{0};
  run_threads(std::max<int64_t>(1, std::min(threads, n)), [&](int64_t t) {
    try {
      for (int64_t i = next++; i < n; i = next++) fn(i, t);
    } catch (...) {
      next = n;
      throw;
    }
  });
}

// Calls fn(begin, end) on `threads` contiguous ranges cutting [0, n) (sizes differing by at most
// one, in order), one range per thread; a single call fn(0, n) on the calling thread when one
// thread suffices.
template <class Fn>
void parallel_ranges(int64_t n, int64_t threads, const Fn& fn) {
  const int64_t t = std::max<int64_t>(1, std::min(threads, n));
  run_threads(t, [&](int64_t i) { fn(n * i / t, n * (i + 1) / t); });
}

}  // namespace towerrec

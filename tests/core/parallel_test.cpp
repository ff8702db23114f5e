#include "core/parallel.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace towerrec;

TEST_CASE("parallel_for: every index once, thread 0 is the caller", "[core]") {
  for (int64_t threads : {1, 3, 8}) {
    std::vector<std::atomic<int>> hits(100);
    std::atomic<int64_t> caller_calls{0};
    const std::thread::id caller = std::this_thread::get_id();
    std::mutex mu;
    std::set<int64_t> thread_ids;
    parallel_for(100, threads, [&](int64_t i, int64_t t) {
      ++hits[static_cast<size_t>(i)];
      if (t == 0) {
        CHECK(std::this_thread::get_id() == caller);
        ++caller_calls;
      }
      std::lock_guard<std::mutex> lock(mu);
      thread_ids.insert(t);
    });
    for (const auto& h : hits) CHECK(h == 1);
    CHECK(*thread_ids.rbegin() < threads);
    if (threads == 1) CHECK(caller_calls == 100);
  }
  parallel_for(0, 4, [](int64_t, int64_t) { FAIL("no index expected"); });
}

TEST_CASE("parallel_ranges: contiguous ranges covering 0..n, one call when one thread suffices",
          "[core]") {
  std::mutex mu;
  std::vector<std::pair<int64_t, int64_t>> ranges;
  parallel_ranges(10, 3, [&](int64_t b, int64_t e) {
    std::lock_guard<std::mutex> lock(mu);
    ranges.emplace_back(b, e);
  });
  std::sort(ranges.begin(), ranges.end());
  CHECK(ranges == std::vector<std::pair<int64_t, int64_t>>{{0, 3}, {3, 6}, {6, 10}});
  ranges.clear();
  parallel_ranges(2, 5, [&](int64_t b, int64_t e) {
    std::lock_guard<std::mutex> lock(mu);
    ranges.emplace_back(b, e);
  });
  std::sort(ranges.begin(), ranges.end());
  CHECK(ranges == std::vector<std::pair<int64_t, int64_t>>{{0, 1}, {1, 2}});
}

TEST_CASE("parallel helpers rethrow a worker's exception on the calling thread", "[core]") {
  // 10^12 items: were the indices not yet handed out not skipped, this would not finish (1000
  // items could all be done by the other threads before the error reached them, so a bound on
  // the calls made would be a race).
  constexpr int64_t kItems = 1000000000000;
  for (int64_t threads : {1, 4}) {
    std::atomic<int64_t> calls{0};
    CHECK_THROWS_WITH(parallel_for(kItems, threads,
                                   [&](int64_t i, int64_t) {
                                     ++calls;
                                     if (i == 5) throw std::runtime_error("item 5 failed");
                                   }),
                      "item 5 failed");
    CHECK(calls < kItems);
    if (threads == 1) CHECK(calls == 6);  // items 0-5, then nothing
    CHECK_THROWS_WITH(run_threads(threads,
                                  [&](int64_t t) {
                                    if (t == threads - 1) throw std::runtime_error("last thread");
                                  }),
                      "last thread");
  }
}

TEST_CASE("resolve_threads: 0 means one per usable CPU, shared among torchrun's local ranks",
          "[core]") {
  const char* saved = std::getenv("LOCAL_WORLD_SIZE");
  const std::string restore = saved ? saved : "";
  ::unsetenv("LOCAL_WORLD_SIZE");
  const int64_t cpus = towerrec::resolve_threads(0);
  CHECK(cpus >= 1);
  CHECK(cpus <= std::max<int64_t>(1, std::thread::hardware_concurrency()));
  CHECK(towerrec::resolve_threads(3) == 3);
  ::setenv("LOCAL_WORLD_SIZE", "2", 1);
  CHECK(towerrec::resolve_threads(0) == std::max<int64_t>(1, cpus / 2));
  CHECK(towerrec::resolve_threads(5) == 5);  // a number the user set is kept
  ::setenv("LOCAL_WORLD_SIZE", "1000", 1);
  CHECK(towerrec::resolve_threads(0) == 1);
  if (saved)
    ::setenv("LOCAL_WORLD_SIZE", restore.c_str(), 1);
  else
    ::unsetenv("LOCAL_WORLD_SIZE");
}

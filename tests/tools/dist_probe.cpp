// Test helper, run under torchrun by tests/train/distributed_test.cpp: joins the group from the
// environment and all-reduces a buffer --steps times, checking every sum. One rank can be told to
// die (_Exit, no goodbye to its peers) or hang before a given step, to test that the others fail
// with a clear error within dist.timeout_seconds.
//   towerrec_dist_probe [--floats N] [--steps S] [--bucket-mb MB] [--timeout SECONDS]
//                       [--die-rank R --die-at K] [--hang-rank R --hang-at K]
// Prints "rank R of W ok, C all-reduce calls" to stderr (torchrun --tee 2 prefixes it) and exits 0;
// on a failed collective prints "error: <message>" to stderr and exits 1; a wrong sum exits 2.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/error.h"
#include "dist/dist_context.h"

int main(int argc, char** argv) {
  CLI::App app("all-reduce probe for the distributed tests");
  int64_t floats = 1000, steps = 3;
  int die_rank = -1, die_at = -1, hang_rank = -1, hang_at = -1;
  towerrec::DistOptions opts;
  app.add_option("--floats", floats, "values per all-reduce")->check(CLI::PositiveNumber);
  app.add_option("--steps", steps, "all-reduces")->check(CLI::PositiveNumber);
  app.add_option("--bucket-mb", opts.bucket_mb, "dist.bucket_mb");
  app.add_option("--timeout", opts.timeout_seconds, "dist.timeout_seconds");
  app.add_option("--die-rank", die_rank, "this rank exits (code 3) before step --die-at");
  app.add_option("--die-at", die_at, "step (0-based) before which --die-rank exits");
  app.add_option("--hang-rank", hang_rank, "this rank sleeps 10 minutes before step --hang-at");
  app.add_option("--hang-at", hang_at, "step (0-based) before which --hang-rank hangs");
  CLI11_PARSE(app, argc, argv);
  try {
    towerrec::DistContext dist = towerrec::DistContext::from_environment(opts);
    const int64_t w = dist.world_size();
    std::vector<float> buf(static_cast<size_t>(floats));
    for (int64_t s = 0; s < steps; ++s) {
      if (dist.rank() == die_rank && s == die_at) std::_Exit(3);
      if (dist.rank() == hang_rank && s == hang_at)
        std::this_thread::sleep_for(std::chrono::minutes(10));
      for (int64_t k = 0; k < floats; ++k)
        buf[k] = static_cast<float>((dist.rank() + 1) * (k % 1000 + 1) + s);
      dist.all_reduce_sum(buf.data(), floats);
      for (int64_t k = 0; k < floats; ++k) {
        const float want = static_cast<float>((k % 1000 + 1) * w * (w + 1) / 2 + w * s);
        if (buf[k] != want) {
          std::cerr << "error: step " << s << " value " << k << ": expected " << want << ", found "
                    << buf[k] << "\n";
          return 2;
        }
      }
    }
    dist.barrier();
    std::cerr << dist.describe() << " ok, " << dist.collectives() << " all-reduce calls\n";
    return 0;
  } catch (const towerrec::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}

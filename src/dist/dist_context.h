// Data-parallel training over PyTorch's c10d with the Gloo backend (CPU). A process started by
// torchrun finds RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT in its environment,
// joins the TCPStore at MASTER_ADDR:MASTER_PORT (torchrun's own agent store when
// TORCHELASTIC_USE_AGENT_STORE is "True", as torch.distributed's env:// does; otherwise rank 0
// hosts it) and builds a ProcessGroupGloo on it. Every rank then trains on its shard of each global
// batch and all-reduces the gradient here, so all ranks apply the same update. Without those
// variables (or WORLD_SIZE 1) the context is a single process and every call is a no-op.
//
// Failure: every collective waits at most DistOptions::timeout_seconds. When a peer dies its
// sockets close and the collective fails at once; when it hangs the collective times out. Either
// way the call throws Error naming this rank and the cause, so no rank hangs.
//
// Collectives must be called in the same order with the same sizes on every rank. Not thread-safe:
// one thread per process issues them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/options.h"

namespace towerrec {

class DistContext {
 public:
  // A single process: rank 0 of 1, every collective a no-op.
  DistContext();
  ~DistContext();
  DistContext(DistContext&&) noexcept;
  DistContext& operator=(DistContext&&) noexcept;
  DistContext(const DistContext&) = delete;
  DistContext& operator=(const DistContext&) = delete;

  // From the environment (see above). Without WORLD_SIZE, or with WORLD_SIZE=1: a single process.
  // Throws Error when a variable is malformed or missing (WORLD_SIZE set but no RANK or
  // MASTER_ADDR), when this build has no Gloo, or when joining the group fails within the timeout.
  static DistContext from_environment(const DistOptions& opts);

  int rank() const { return rank_; }
  int world_size() const { return world_; }
  int local_rank() const { return local_rank_; }
  bool is_root() const { return rank_ == 0; }
  bool distributed() const { return world_ > 1; }

  // In place: data[k] becomes the sum over ranks of data[k]. Sent in buckets of at most
  // DistOptions::bucket_mb megabytes (one Gloo all-reduce per bucket, not per tensor). Every rank
  // receives bitwise-identical sums. Throws Error on a dead or hung peer (see above).
  void all_reduce_sum(float* data, int64_t n);
  void all_reduce_sum(double* data, int64_t n);
  // One parameter's gradient: `n` contiguous floats at `data`.
  struct Gradient {
    float* data;
    int64_t n;
  };
  // The data-parallel gradient all-reduce, used by every trainer: each gradient becomes its sum
  // over ranks. Several gradients travel as one flat buffer (packed back to back, all_reduce_sum,
  // unpacked); one is reduced in place. A no-op on a single process.
  void all_reduce_gradients(const std::vector<Gradient>& grads);
  // Waits for every rank (same failure behaviour).
  void barrier();

  // The half-open range [begin, end) of `n` items owned by this rank: contiguous, sizes differing
  // by at most one, lower ranks first. All of [0, n) on a single process.
  int64_t shard_begin(int64_t n) const { return n * rank_ / world_; }
  int64_t shard_end(int64_t n) const { return n * (rank_ + 1) / world_; }

  // Number of all-reduce calls issued so far (buckets), for tests and logs.
  int64_t collectives() const { return collectives_; }

  // "rank R of W" (for messages).
  std::string describe() const;

  struct Impl;

 private:
  int rank_ = 0;
  int world_ = 1;
  int local_rank_ = 0;
  int64_t collectives_ = 0;
  int64_t bucket_bytes_ = 0;
  double timeout_seconds_ = 0;
  std::vector<float> flat_;     // all_reduce_gradients' packing buffer, reused across steps
  std::unique_ptr<Impl> impl_;  // null on a single process
};

}  // namespace towerrec

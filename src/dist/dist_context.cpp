#include "dist/dist_context.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <vector>

#include <ATen/ops/from_blob.h>
#include <c10/util/Exception.h>

#ifdef TOWERREC_HAVE_GLOO
// ProcessGroupGloo.hpp declares its classes only under USE_C10D_GLOO (the Debian libtorch is built
// with it: the symbols are in libtorch_cpu).
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

#include "core/error.h"

namespace towerrec {
namespace {

// c10::Error::what() carries a C++ backtrace; users need the first line.
std::string message_of(const std::exception& e) {
  if (const auto* c = dynamic_cast<const c10::Error*>(&e)) return c->what_without_backtrace();
  return e.what();
}

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

int64_t env_int(const char* name, int64_t lo, int64_t hi) {
  const char* v = env(name);
  if (!v)
    throw Error(std::string("distributed training: ") + name +
                " is not set (torchrun sets "
                "RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT)");
  char* end = nullptr;
  const long long x = std::strtoll(v, &end, 10);
  if (*end != '\0' || x < lo || x > hi)
    throw Error(std::string("distributed training: ") + name + ": expected an integer in [" +
                std::to_string(lo) + ", " + std::to_string(hi) + "], found " + quote_found(v));
  return x;
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}

}  // namespace

struct DistContext::Impl {
#ifdef TOWERREC_HAVE_GLOO
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
#endif
};

DistContext::DistContext() = default;
DistContext::~DistContext() = default;
DistContext::DistContext(DistContext&&) noexcept = default;
DistContext& DistContext::operator=(DistContext&&) noexcept = default;

std::string DistContext::describe() const {
  return "rank " + std::to_string(rank_) + " of " + std::to_string(world_);
}

DistContext DistContext::from_environment(const DistOptions& opts) {
  DistContext ctx;
  ctx.timeout_seconds_ = opts.timeout_seconds;
  ctx.bucket_bytes_ =
      std::max<int64_t>(8, static_cast<int64_t>(std::llround(opts.bucket_mb * 1024.0 * 1024.0)));
  if (!env("WORLD_SIZE")) return ctx;
  const int64_t world = env_int("WORLD_SIZE", 1, 1 << 20);
  if (world == 1) return ctx;
  ctx.world_ = static_cast<int>(world);
  ctx.rank_ = static_cast<int>(env_int("RANK", 0, world - 1));
  ctx.local_rank_ =
      env("LOCAL_RANK") ? static_cast<int>(env_int("LOCAL_RANK", 0, world - 1)) : ctx.rank_;
  const char* addr = env("MASTER_ADDR");
  if (!addr) throw Error("distributed training: MASTER_ADDR is not set (torchrun sets it)");
  const int64_t port = env_int("MASTER_PORT", 1, 65535);
#ifndef TOWERREC_HAVE_GLOO
  (void)port;
  throw Error("distributed training: WORLD_SIZE is " + std::to_string(world) +
              " but this towerrec was built without Gloo (install libgloo-dev and rebuild)");
#else
  const auto timeout =
      std::chrono::milliseconds(static_cast<int64_t>(std::llround(opts.timeout_seconds * 1000.0)));
  const std::string where = std::string(addr) + ":" + std::to_string(port);
  try {
    // torch.distributed's env:// rule: under torchrun's static rendezvous the agent already serves
    // a TCPStore at MASTER_ADDR:MASTER_PORT and the workers' keys live under
    // /worker/attempt_<restart count>; otherwise rank 0 serves the store itself.
    const bool agent_store = env("TORCHELASTIC_USE_AGENT_STORE") &&
                             std::string(env("TORCHELASTIC_USE_AGENT_STORE")) == "True";
    c10d::TCPStoreOptions so;
    so.port = static_cast<uint16_t>(port);
    so.isServer = !agent_store && ctx.rank_ == 0;
    so.numWorkers = static_cast<size_t>(world);
    so.waitWorkers = false;
    so.timeout = timeout;
    so.multiTenant = true;
    c10::intrusive_ptr<c10d::Store> store = c10::make_intrusive<c10d::TCPStore>(addr, so);
    std::string prefix = "towerrec";
    if (agent_store) {
      const char* attempt = env("TORCHELASTIC_RESTART_COUNT");
      prefix = std::string("/worker/attempt_") + (attempt ? attempt : "0") + "/" + prefix;
    }
    store = c10::make_intrusive<c10d::PrefixStore>(prefix, store);

    auto go = c10d::ProcessGroupGloo::Options::create(timeout);
    if (const char* ifname = env("GLOO_SOCKET_IFNAME"))
      go->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
    else
      go->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    go->threads = 1;  // one collective at a time: the caller waits on each
    ctx.impl_ = std::make_unique<Impl>();
    ctx.impl_->store = store;
    ctx.impl_->group =
        c10::make_intrusive<c10d::ProcessGroupGloo>(store, ctx.rank_, ctx.world_, go);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error("distributed training: " + ctx.describe() + ": could not join the Gloo group " +
                "through the TCPStore at " + where + " within dist.timeout_seconds (" +
                seconds_text(opts.timeout_seconds) + " s): " + message_of(e));
  }
  return ctx;
#endif
}

namespace {

#ifdef TOWERREC_HAVE_GLOO
template <class T>
void reduce_buckets(c10d::ProcessGroupGloo& group, T* data, int64_t n, int64_t bucket_bytes,
                    at::ScalarType type, int64_t& calls) {
  const int64_t per_bucket = std::max<int64_t>(1, bucket_bytes / static_cast<int64_t>(sizeof(T)));
  for (int64_t off = 0; off < n; off += per_bucket) {
    const int64_t len = std::min(per_bucket, n - off);
    std::vector<at::Tensor> bucket{at::from_blob(data + off, {len}, at::TensorOptions(type))};
    group.allreduce(bucket)->wait();  // in place; Gloo applies the group's timeout
    ++calls;
  }
}
#endif

#ifdef TOWERREC_HAVE_GLOO
// The one message both all-reduce overloads give when a peer is gone or silent.
Error all_reduce_error(const std::string& who, double timeout_seconds, const std::exception& e) {
  return Error("distributed training: " + who + ": all-reduce failed: another rank " +
               "stopped or did not answer within dist.timeout_seconds (" +
               seconds_text(timeout_seconds) + " s): " + message_of(e));
}
#endif

}  // namespace

void DistContext::all_reduce_sum(float* data, int64_t n) {
  if (!impl_ || n <= 0) return;
#ifdef TOWERREC_HAVE_GLOO
  try {
    reduce_buckets(*impl_->group, data, n, bucket_bytes_, at::kFloat, collectives_);
  } catch (const std::exception& e) {
    throw all_reduce_error(describe(), timeout_seconds_, e);
  }
#endif
}

void DistContext::all_reduce_sum(double* data, int64_t n) {
  if (!impl_ || n <= 0) return;
#ifdef TOWERREC_HAVE_GLOO
  try {
    reduce_buckets(*impl_->group, data, n, bucket_bytes_, at::kDouble, collectives_);
  } catch (const std::exception& e) {
    throw all_reduce_error(describe(), timeout_seconds_, e);
  }
#endif
}

void DistContext::all_reduce_gradients(const std::vector<Gradient>& grads) {
  if (!distributed() || grads.empty()) return;
  if (grads.size() == 1) {
    all_reduce_sum(grads[0].data, grads[0].n);
    return;
  }
  int64_t total = 0;
  for (const Gradient& g : grads) total += g.n;
  flat_.resize(static_cast<size_t>(total));
  float* out = flat_.data();
  for (const Gradient& g : grads) out = std::copy(g.data, g.data + g.n, out);
  all_reduce_sum(flat_.data(), total);
  const float* in = flat_.data();
  for (const Gradient& g : grads) {
    std::copy(in, in + g.n, g.data);
    in += g.n;
  }
}

void DistContext::barrier() {
  if (!impl_) return;
#ifdef TOWERREC_HAVE_GLOO
  try {
    impl_->group->barrier()->wait();
  } catch (const std::exception& e) {
    throw Error("distributed training: " + describe() + ": barrier failed: another rank " +
                "stopped or did not answer within dist.timeout_seconds (" +
                seconds_text(timeout_seconds_) + " s): " + message_of(e));
  }
#endif
}

}  // namespace towerrec

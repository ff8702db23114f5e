#include "train/flat_adam_impl.h"

#include <torch/optim/adam.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include <ATen/Parallel.h>

using namespace towerrec;

TEST_CASE("flat adam: matches torch::optim::Adam with weight decay", "[train][simd]") {
  torch::manual_seed(0);
  torch::Tensor start = torch::randn({1000});
  torch::Tensor ours = start.clone(), grads = torch::zeros({1000});
  torch::Tensor theirs = start.clone().requires_grad_(true);
  AdamOptions opts;
  opts.lr = 0.01;
  opts.weight_decay = 0.1;
  FlatAdam adam(ours, grads, opts);
  torch::optim::Adam ref({theirs}, torch::optim::AdamOptions(0.01).weight_decay(0.1));
  for (int step = 0; step < 20; ++step) {
    torch::Tensor g = torch::randn({1000});
    grads.copy_(g);
    adam.step();
    theirs.mutable_grad() = g.clone();
    ref.step();
  }
  CHECK(adam.steps() == 20);
  // Same formulas; only float rounding differs (our pass is fused, torch's is op by op).
  CHECK((ours - theirs.detach()).abs().max().item<float>() < 1e-5f);
  CHECK(torch::allclose(ours, theirs.detach(), 1e-5, 1e-6));
}

TEST_CASE("flat adam: moments that decay below float's normal range are flushed to zero",
          "[train][simd]") {
  // A row no batch touches (gradient 0): m shrinks by beta1 a step, and from 1e-38 its next value
  // would be the denormal 9e-39, which costs a microcode assist in every later pass.
  torch::Tensor params = torch::full({40}, 0.5f), grads = torch::zeros({40});
  FlatAdam adam(params, grads, AdamOptions{});
  std::vector<float> m(40, 1e-38f), v(40, 1e-8f);
  m[0] = 1e-3f;  // a normal moment keeps decaying normally
  adam.restore(100, m, v);
  adam.step();
  CHECK(adam.first_moment()[0] == 1e-3f * 0.9f);
  for (size_t i = 1; i < m.size(); ++i) {
    INFO("parameter " << i);
    CHECK(adam.first_moment()[i] == 0.f);
    CHECK(params[static_cast<int64_t>(i)].item<float>() == 0.5f);
  }
  // The caller's floating-point mode is left as it was.
  volatile float tiny = 1e-38f;
  CHECK(tiny * 0.5f > 0.f);
}

TEST_CASE("flat adam: two threads give the same bits as one, denormals flushed on both",
          "[train]") {
  const int64_t n = (1 << 17) + 37;  // above the two-thread threshold, with a ragged half
  torch::manual_seed(1);
  const torch::Tensor start = torch::randn({n});
  std::vector<torch::Tensor> g;
  for (int step = 0; step < 3; ++step) g.push_back(torch::randn({n}));
  const int before = at::get_num_threads();
  std::vector<torch::Tensor> result;
  for (int threads : {1, 2}) {
    at::set_num_threads(threads);
    torch::Tensor params = start.clone(), grads = torch::zeros({n});
    FlatAdam adam(params, grads, AdamOptions{});
    for (const torch::Tensor& step_grad : g) {
      grads.copy_(step_grad);
      adam.step();
    }
    result.push_back(params);
  }
  CHECK(torch::equal(result[0], result[1]));

  // On 2 threads, untouched moments about to turn denormal become 0 in both halves: the pool
  // thread's pass flushes too (MXCSR is per thread).
  torch::Tensor params = start.clone(), grads = torch::zeros({n});
  FlatAdam adam(params, grads, AdamOptions{});
  adam.restore(100, std::vector<float>(static_cast<size_t>(n), 1e-38f),
               std::vector<float>(static_cast<size_t>(n), 1e-8f));
  adam.step();
  at::set_num_threads(before);
  CHECK(adam.first_moment().front() == 0.f);
  CHECK(adam.first_moment().back() == 0.f);
  CHECK(std::count(adam.first_moment().begin(), adam.first_moment().end(), 0.f) == n);
}

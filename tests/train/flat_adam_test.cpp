#include "train/flat_adam_impl.h"

#include <torch/optim/adam.h>
#include <catch2/catch.hpp>

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

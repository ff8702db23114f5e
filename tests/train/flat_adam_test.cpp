#include "train/flat_adam_impl.h"

#include <torch/optim/adam.h>
#include <catch2/catch.hpp>

using namespace towerrec;

TEST_CASE("flat adam: matches torch::optim::Adam with weight decay", "[train]") {
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

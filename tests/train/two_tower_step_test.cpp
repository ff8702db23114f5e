#include "train/two_tower_step_impl.h"

#include <torch/torch.h>
#include <catch2/catch.hpp>

#include "core/rng.h"
#include "model/two_tower_model.h"

using namespace towerrec;

namespace {

FeatureMatrix random_matrix(int64_t rows, int64_t cols, uint64_t seed) {
  FeatureMatrix m;
  for (int64_t c = 0; c < cols; ++c) m.names.push_back("f" + std::to_string(c));
  m.resize(rows);
  Rng rng(seed);
  for (float& v : m.data) v = static_cast<float>(rng.normal());
  return m;
}

// The tower with autograd, from copies of the model's weights; returns the leaf tensors in
// named_parameters() order.
torch::Tensor autograd_tower(const Tower& t, const torch::Tensor& x,
                             std::vector<torch::Tensor>& leaves) {
  torch::Tensor h = x;
  for (size_t l = 0; l < t.layers.size(); ++l) {
    torch::Tensor w = t.layers[l].weight.detach().clone().requires_grad_(true);
    torch::Tensor b = t.layers[l].bias.detach().clone().requires_grad_(true);
    leaves.push_back(w);
    leaves.push_back(b);
    h = torch::nn::functional::linear(h, w, b);
    if (l + 1 < t.layers.size()) h = torch::relu(h);
  }
  return torch::nn::functional::normalize(
      h, torch::nn::functional::NormalizeFuncOptions().p(2).dim(1));
}

}  // namespace

TEST_CASE("two-tower step: hand-written gradients equal autograd's", "[train]") {
  ModelOptions opts;
  opts.user_hidden = {24, 16};
  opts.item_hidden = {20};
  opts.dim = 6;
  TwoTowerModel model(5, 7, opts, 17);
  const FeatureMatrix ux = random_matrix(30, 5, 1), ix = random_matrix(25, 7, 2);
  const int64_t n = 40;
  Rng rng(3);
  std::vector<int32_t> users, items;
  std::vector<float> targets;
  for (int64_t k = 0; k < n; ++k) {
    users.push_back(static_cast<int32_t>(rng.below(30)));
    items.push_back(static_cast<int32_t>(rng.below(25)));
    targets.push_back(static_cast<float>(2 * rng.uniform() - 1));
  }
  auto& impl = model.impl();
  double sse = 0;
  std::vector<float> pred;
  {
    c10::InferenceMode guard;
    TwoTowerStep step(impl, 64, /*for_training=*/true);
    impl.grads.fill_(123.f);  // must be overwritten, not accumulated
    sse = step.run(ux, ix, users.data(), items.data(), targets.data(), n, /*backward=*/true);
    pred = step.predictions();
  }

  auto gather = [](const FeatureMatrix& m, const std::vector<int32_t>& idx) {
    torch::Tensor all = torch::from_blob(const_cast<float*>(m.data.data()), {m.rows, m.cols()});
    return all.index_select(0, torch::tensor(std::vector<int64_t>(idx.begin(), idx.end())));
  };
  std::vector<torch::Tensor> leaves;
  torch::Tensor yu = autograd_tower(impl.user, gather(ux, users), leaves);
  torch::Tensor yi = autograd_tower(impl.item, gather(ix, items), leaves);
  torch::Tensor p = (yu * yi).sum(1);
  torch::Tensor t = torch::tensor(targets);
  torch::Tensor loss = torch::mse_loss(p, t);
  loss.backward();

  CHECK(sse / n == Approx(loss.item<double>()).epsilon(1e-5));
  CHECK(torch::allclose(torch::tensor(pred), p.detach(), 1e-5, 1e-6));
  const auto named = impl.named_parameters();
  REQUIRE(named.size() == leaves.size());
  int64_t offset = 0;
  for (size_t i = 0; i < named.size(); ++i) {
    const int64_t size = named[i].second.numel();
    torch::Tensor manual = impl.grads.narrow(0, offset, size).view_as(named[i].second);
    offset += size;
    INFO(named[i].first);
    CHECK((manual - leaves[i].grad()).abs().max().item<float>() < 1e-5f);
  }
}

TEST_CASE("two-tower step: forward-only run scores without touching gradients", "[train]") {
  ModelOptions opts;
  opts.user_hidden = {8};
  opts.item_hidden = {8};
  opts.dim = 3;
  TwoTowerModel model(4, 4, opts, 5);
  const FeatureMatrix ux = random_matrix(3, 4, 1), ix = random_matrix(3, 4, 2);
  std::vector<int32_t> idx = {0, 1, 2};
  c10::InferenceMode guard;
  model.impl().grads.fill_(7.f);
  TwoTowerStep step(model.impl(), 2, /*for_training=*/false);
  CHECK(step.run(ux, ix, idx.data(), idx.data(), nullptr, 2, /*backward=*/false) == 0);
  CHECK(step.predictions().size() == 2);
  CHECK(model.impl().grads.eq(7.f).all().item<bool>());
  // The prediction is the dot product of the two embeddings.
  const auto eu = model.embed_users(ux.row(1), 1);
  const auto ei = model.embed_items(ix.row(1), 1);
  float dot = 0;
  for (int j = 0; j < 3; ++j) dot += eu[static_cast<size_t>(j)] * ei[static_cast<size_t>(j)];
  CHECK(step.predictions()[1] == Approx(dot).epsilon(1e-6));
}

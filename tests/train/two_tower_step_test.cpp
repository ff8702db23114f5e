#include "train/two_tower_step_impl.h"

#include <catch2/catch.hpp>

#include "core/rng.h"
#include "model/reference_tower.h"
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
    return test::gather_rows(m.data, m.rows, m.cols(), idx);
  };
  std::vector<at::Tensor> leaves;
  at::Tensor yu = test::reference_tower(impl.user, gather(ux, users), &leaves);
  at::Tensor yi = test::reference_tower(impl.item, gather(ix, items), &leaves);
  at::Tensor p = yu.mul(yi).sum(1);
  at::Tensor loss = p.sub(test::tensor_of(targets)).pow(2).mean();
  loss.backward();

  CHECK(sse / n == Approx(loss.item<double>()).epsilon(1e-5));
  CHECK(test::tensor_of(pred).allclose(p.detach(), 1e-5, 1e-6));
  const auto named = impl.named_parameters();
  REQUIRE(named.size() == leaves.size());
  int64_t offset = 0;
  for (size_t i = 0; i < named.size(); ++i) {
    const int64_t size = named[i].second.numel();
    at::Tensor manual = impl.grads.narrow(0, offset, size).view_as(named[i].second);
    offset += size;
    INFO(named[i].first);
    CHECK(manual.sub(leaves[i].grad()).abs().max().item<float>() < 1e-5f);
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

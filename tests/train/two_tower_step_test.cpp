#include "train/two_tower_step_impl.h"

#include <cmath>
#include <map>

#include <ATen/Parallel.h>
#include <ATen/ops/cat.h>
#include <ATen/ops/zeros.h>
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

TEST_CASE("two-tower step: hand-written gradients equal autograd's", "[train][simd]") {
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

namespace {

// A bag as a dense [rows, cols] matrix (what the embedding-bag sum equals).
at::Tensor dense_bag(const SparseRows& bag, const std::vector<int32_t>& rows) {
  at::Tensor d = at::zeros({static_cast<int64_t>(rows.size()), bag.cols}, at::kFloat);
  for (size_t k = 0; k < rows.size(); ++k)
    for (int64_t e = bag.begin(rows[k]); e < bag.end(rows[k]); ++e)
      d[static_cast<int64_t>(k)][bag.index[static_cast<size_t>(e)]] +=
          bag.value[static_cast<size_t>(e)];
  return d;
}

// The tower with its bag folded into layer 0 as extra input columns: [W0 | bag^T].
Tower with_bag_columns(const Tower& t) {
  Tower aug = t;
  aug.layers[0].weight = at::cat({t.layers[0].weight, t.bag.t()}, 1).contiguous();
  aug.in = aug.layers[0].weight.size(1);
  return aug;
}

SparseRows random_bags(int64_t rows, int64_t cols, uint64_t seed) {
  SparseRows bag;
  bag.rows = rows;
  bag.cols = cols;
  Rng rng(seed);
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t n = static_cast<int64_t>(rng.below(4));  // 0..3 entries, some rows empty
    for (int64_t e = 0; e < n; ++e) {
      bag.index.push_back(static_cast<int32_t>(rng.below(static_cast<uint64_t>(cols))));
      bag.value.push_back(static_cast<float>(1.0 / std::sqrt(static_cast<double>(n))));
    }
    bag.offsets.push_back(bag.nnz());
  }
  return bag;
}

// Autograd's gradients by parameter name, from the leaves of two towers with their bags folded in
// as columns (with_bag_columns: leaves W0|bag^T, b0, W1, b1 per tower; dense inputs user_in and
// item_in wide, then user_bag and item_bag bag columns).
std::map<std::string, at::Tensor> tower_grads(const std::vector<at::Tensor>& leaves,
                                              int64_t user_in, int64_t user_bag, int64_t item_in,
                                              int64_t item_bag) {
  std::map<std::string, at::Tensor> want;
  want["user.0.weight"] = leaves[0].grad().narrow(1, 0, user_in);
  want["user.bag"] = leaves[0].grad().narrow(1, user_in, user_bag).t();
  want["user.0.bias"] = leaves[1].grad();
  want["user.1.weight"] = leaves[2].grad();
  want["user.1.bias"] = leaves[3].grad();
  want["item.0.weight"] = leaves[4].grad().narrow(1, 0, item_in);
  want["item.bag"] = leaves[4].grad().narrow(1, item_in, item_bag).t();
  want["item.0.bias"] = leaves[5].grad();
  want["item.1.weight"] = leaves[6].grad();
  want["item.1.bias"] = leaves[7].grad();
  return want;
}

// The step's flat gradient equals `want` parameter by parameter (2e-5) and covers every parameter.
void check_grads(TwoTowerModel::Impl& impl, std::map<std::string, at::Tensor>& want) {
  int64_t offset = 0;
  for (const auto& [name, t] : impl.named_parameters()) {
    at::Tensor manual = impl.grads.narrow(0, offset, t.numel()).view_as(t);
    offset += t.numel();
    INFO(name);
    REQUIRE(want.count(name) == 1);
    CHECK(manual.sub(want[name].reshape_as(t)).abs().max().item<float>() < 2e-5f);
  }
  CHECK(offset == impl.grads.numel());
}

// The step's inputs with a bag on each tower; num_items = share's size (one share per item key).
StepInputs bag_inputs(const FeatureMatrix& ux, const FeatureMatrix& ix, const SparseRows& ubag,
                      const SparseRows& ibag, const std::vector<float>& share) {
  StepInputs in;
  in.user_x = &ux;
  in.item_x = &ix;
  in.user_bag = &ubag;
  in.item_bag = &ibag;
  in.item_share = share.data();
  in.num_items = static_cast<int64_t>(share.size());
  return in;
}

// A one-process batch: every row and every negative (none when negs is empty) is its own.
StepBatch whole_batch(const std::vector<int32_t>& users, const std::vector<int32_t>& items,
                      const std::vector<float>& targets, const std::vector<int32_t>& negs) {
  StepBatch b;
  b.user = users.data();
  b.item = items.data();
  b.target = targets.data();
  b.n = static_cast<int64_t>(users.size());
  b.hi = b.n;
  b.negatives = negs.empty() ? nullptr : negs.data();
  b.m = static_cast<int64_t>(negs.size());
  b.neg_hi = b.m;
  return b;
}

}  // namespace

TEST_CASE("two-tower step: joint softmax + rating head with bags: gradients equal autograd's",
          "[train][simd]") {
  ModelOptions opts;
  opts.user_hidden = {12};
  opts.item_hidden = {10};
  opts.dim = 5;
  opts.rating_head = RatingHeadKind::kLinear;
  TwoTowerModel model(4, 3, opts, 11, /*user_bag=*/6, /*item_bag=*/4);
  auto& impl = model.impl();
  {
    Rng r(9);
    for (at::Tensor* t : {&impl.head_user, &impl.head_item, &impl.head_scale, &impl.head_bias}) {
      float* p = t->data_ptr<float>();
      for (int64_t i = 0; i < t->numel(); ++i)
        p[i] = static_cast<float>(r.normal() * 0.3 + (t == &impl.head_scale ? 1 : 0));
    }
  }
  const FeatureMatrix ux = random_matrix(20, 4, 1), ix = random_matrix(15, 3, 2);
  const SparseRows ubag = random_bags(20, 6, 4), ibag = random_bags(15, 4, 5);
  const int64_t n = 12, m = 5;
  Rng rng(3);
  std::vector<int32_t> users, items, negs;
  std::vector<float> targets;
  for (int64_t k = 0; k < n; ++k) {
    users.push_back(static_cast<int32_t>(rng.below(20)));
    items.push_back(static_cast<int32_t>(rng.below(15)));
    targets.push_back(static_cast<float>(2 * rng.uniform() - 1));
  }
  items[7] = items[3];  // an accidental hit: masked in each other's row
  for (int64_t j = 0; j < m; ++j) negs.push_back(static_cast<int32_t>(rng.below(15)));
  negs[1] = items[2];  // a negative equal to a row's positive: masked in that row
  std::vector<float> share(15);
  for (float& s : share) s = static_cast<float>(0.01 + rng.uniform() * 0.2);

  StepLoss loss;
  loss.rating_weight = 0.7f;
  loss.softmax_weight = 1.3f;
  loss.inv_temperature = 5.f;
  loss.positive_min = 0.f;
  const StepInputs in = bag_inputs(ux, ix, ubag, ibag, share);
  const StepBatch b = whole_batch(users, items, targets, negs);
  StepSums sums;
  {
    c10::InferenceMode guard;
    TwoTowerStep step(impl, 16, /*for_training=*/true, /*negatives=*/8);
    impl.grads.fill_(123.f);
    sums = step.run(in, b, loss, /*backward=*/true);
  }

  std::vector<int32_t> cand = items;
  cand.insert(cand.end(), negs.begin(), negs.end());
  std::vector<at::Tensor> leaves;
  const Tower aug_user = with_bag_columns(impl.user), aug_item = with_bag_columns(impl.item);
  at::Tensor xu = at::cat({test::gather_rows(ux.data, 20, 4, users), dense_bag(ubag, users)}, 1);
  at::Tensor xi = at::cat({test::gather_rows(ix.data, 15, 3, cand), dense_bag(ibag, cand)}, 1);
  at::Tensor U = test::reference_tower(aug_user, xu, &leaves);
  at::Tensor V = test::reference_tower(aug_item, xi, &leaves);
  std::vector<at::Tensor> head;
  for (const at::Tensor& t : {impl.head_scale, impl.head_bias, impl.head_user, impl.head_item})
    head.push_back(t.detach().clone().requires_grad_(true));
  at::Tensor Vp = V.narrow(0, 0, n);
  at::Tensor pred =
      U.mul(Vp).sum(1).mul(head[0]).add(head[1]).add(U.matmul(head[2])).add(Vp.matmul(head[3]));
  at::Tensor mse = pred.sub(test::tensor_of(targets)).pow(2).mean();
  std::vector<float> corr;
  for (int32_t c : cand) corr.push_back(std::log(static_cast<float>(n) * share[c] + 5.f / 15.f));
  at::Tensor logits = U.matmul(V.t()).mul(5.0).sub(test::tensor_of(corr));
  at::Tensor mask = at::zeros({n, n + m}, at::kBool);
  for (int64_t k = 0; k < n; ++k)
    for (int64_t j = 0; j < n + m; ++j)
      if (j != k && cand[static_cast<size_t>(j)] == items[static_cast<size_t>(k)])
        mask[k][j] = true;
  at::Tensor logp = logits.masked_fill(mask, -INFINITY).log_softmax(1);
  at::Tensor ce = at::zeros({}, at::kFloat);
  int64_t positives = 0;
  for (int64_t k = 0; k < n; ++k)
    if (targets[static_cast<size_t>(k)] >= 0.f) {
      ce = ce.sub(logp[k][k]);
      ++positives;
    }
  REQUIRE(positives > 0);
  at::Tensor total = mse.mul(0.7).add(ce.div(positives).mul(1.3));
  total.backward();
  CHECK(sums.loss == Approx(total.item<double>()).epsilon(1e-4));
  CHECK(sums.positives == positives);

  // Compare every named gradient; the bags' come from the augmented first-layer columns.
  auto want = tower_grads(leaves, 4, 6, 3, 4);
  want["head.scale"] = head[0].grad();
  want["head.bias"] = head[1].grad();
  want["head.user"] = head[2].grad();
  want["head.item"] = head[3].grad();
  check_grads(impl, want);
}

namespace {

// A softmax batch of n rows over `users` users and `item_rows` item rows: with `keys`, item row i
// is catalogue item i % keys (as out-of-fold blocks repeat the catalogue), so rows of one item with
// different features mask each other. Every gradient must equal autograd's on the rows as given.
// `user_width` is the user tower's first layer, the width of its bag sums.
void check_softmax_against_autograd(int64_t n, int32_t users_n, int32_t item_rows, int32_t keys_n,
                                    float inv_t, int64_t user_width = 12) {
  ModelOptions opts;
  opts.user_hidden = {user_width};
  opts.item_hidden = {10};
  opts.dim = 5;
  TwoTowerModel model(4, 3, opts, 21, /*user_bag=*/9, /*item_bag=*/4);
  auto& impl = model.impl();
  const FeatureMatrix ux = random_matrix(users_n, 4, 1), ix = random_matrix(item_rows, 3, 2);
  const SparseRows ubag = random_bags(users_n, 9, 6), ibag = random_bags(item_rows, 4, 7);
  Rng rng(8);
  std::vector<int32_t> users, items;
  std::vector<float> targets;
  for (int64_t k = 0; k < n; ++k) {
    users.push_back(static_cast<int32_t>(rng.below(static_cast<uint64_t>(users_n))));
    items.push_back(static_cast<int32_t>(rng.below(static_cast<uint64_t>(item_rows))));
    targets.push_back(static_cast<float>(2 * rng.uniform() - 1));
  }
  std::vector<int32_t> key(static_cast<size_t>(item_rows));
  for (int32_t i = 0; i < item_rows; ++i) key[static_cast<size_t>(i)] = keys_n > 0 ? i % keys_n : i;
  std::vector<float> share(static_cast<size_t>(keys_n > 0 ? keys_n : item_rows));
  for (float& s : share) s = static_cast<float>(0.005 + rng.uniform() * 0.05);
  StepLoss loss;
  loss.rating_weight = 0.f;
  loss.softmax_weight = 1.f;
  loss.inv_temperature = inv_t;
  loss.positive_min = -0.5f;  // some rows are not positive
  StepInputs in = bag_inputs(ux, ix, ubag, ibag, share);
  if (keys_n > 0) in.item_key = key.data();
  const StepBatch b = whole_batch(users, items, targets, {});
  StepSums sums;
  {
    c10::InferenceMode guard;
    TwoTowerStep step(impl, n, /*for_training=*/true);
    impl.grads.fill_(123.f);
    sums = step.run(in, b, loss, /*backward=*/true);
  }

  std::vector<at::Tensor> leaves;
  const Tower aug_user = with_bag_columns(impl.user), aug_item = with_bag_columns(impl.item);
  at::Tensor xu =
      at::cat({test::gather_rows(ux.data, users_n, 4, users), dense_bag(ubag, users)}, 1);
  at::Tensor xi =
      at::cat({test::gather_rows(ix.data, item_rows, 3, items), dense_bag(ibag, items)}, 1);
  at::Tensor U = test::reference_tower(aug_user, xu, &leaves);
  at::Tensor V = test::reference_tower(aug_item, xi, &leaves);
  std::vector<float> corr;
  for (int32_t c : items)
    corr.push_back(
        std::log(static_cast<float>(n) * share[static_cast<size_t>(key[static_cast<size_t>(c)])]));
  at::Tensor logits = U.matmul(V.t()).mul(inv_t).sub(test::tensor_of(corr));
  at::Tensor mask = at::zeros({n, n}, at::kBool);
  for (int64_t k = 0; k < n; ++k)
    for (int64_t j = 0; j < n; ++j)
      if (j != k && key[static_cast<size_t>(items[static_cast<size_t>(j)])] ==
                        key[static_cast<size_t>(items[static_cast<size_t>(k)])])
        mask[k][j] = true;
  at::Tensor logp = logits.masked_fill(mask, -INFINITY).log_softmax(1);
  at::Tensor ce = at::zeros({}, at::kFloat);
  int64_t positives = 0;
  for (int64_t k = 0; k < n; ++k)
    if (targets[static_cast<size_t>(k)] >= -0.5f) {
      ce = ce.sub(logp[k][k]);
      ++positives;
    }
  REQUIRE(positives > 0);
  REQUIRE(positives < n);
  at::Tensor total = ce.div(positives);
  total.backward();
  CHECK(sums.loss == Approx(total.item<double>()).epsilon(1e-4));
  CHECK(sums.positives == positives);

  auto want = tower_grads(leaves, 4, 9, 3, 4);
  check_grads(impl, want);
}

}  // namespace

// A batch wider than the softmax's row blocks (128 rows), where most rows repeat a user (whose
// tower output, logits and bag sum are then computed once and shared) and many repeat an item
// (accidental hits, and shared item bags).
TEST_CASE("two-tower step: softmax with bags over several row blocks: gradients equal autograd's",
          "[train][simd]") {
  check_softmax_against_autograd(300, 25, 40, 0, 5.f);
}

// More distinct users than a block of the softmax (128), items keyed as out-of-fold blocks key them
// (same item, different features: a masked candidate can outscore the row's positive) and a sharp
// temperature, so that some rows' masked exps hold most of their user's exp sum.
TEST_CASE("two-tower step: softmax over keyed item rows and many users: gradients equal autograd's",
          "[train][simd]") {
  check_softmax_against_autograd(400, 200, 60, 12, 40.f);
}

// A first layer of 331 = 256 + 64 + 8 + 3 columns: the bag sum's 256-wide (AVX-512), 64- and 8-wide
// (AVX2) and scalar column blocks all run (the ctest [simd] runs repeat this under each cap).
TEST_CASE("two-tower step: a bag sum through every vector width: gradients equal autograd's",
          "[train][simd]") {
  check_softmax_against_autograd(150, 30, 40, 0, 5.f, /*user_width=*/331);
}

// Two threads run the towers, the softmax's two halves of user blocks side by side: the gradient
// and the loss must be the same bits as on one thread (what makes train.threads: 0 a safe default).
TEST_CASE("two-tower step: two threads give the same gradient bits as one", "[train]") {
  ModelOptions opts;
  opts.user_hidden = {40};
  opts.item_hidden = {24};
  opts.dim = 8;
  const int64_t n = 600, m = 64;
  const int32_t users_n = 500, item_rows = 300;
  TwoTowerModel model(4, 3, opts, 5, /*user_bag=*/30, /*item_bag=*/6);
  auto& impl = model.impl();
  const FeatureMatrix ux = random_matrix(users_n, 4, 11), ix = random_matrix(item_rows, 3, 12);
  const SparseRows ubag = random_bags(users_n, 30, 13), ibag = random_bags(item_rows, 6, 14);
  Rng rng(15);
  std::vector<int32_t> users, items, negs;
  std::vector<float> targets;
  for (int64_t k = 0; k < n; ++k) {
    users.push_back(static_cast<int32_t>(rng.below(users_n)));
    items.push_back(static_cast<int32_t>(rng.below(item_rows)));
    targets.push_back(static_cast<float>(2 * rng.uniform() - 1));
  }
  for (int64_t j = 0; j < m; ++j) negs.push_back(static_cast<int32_t>(rng.below(item_rows)));
  std::vector<float> share(item_rows, 1.f / item_rows);
  StepLoss loss;
  loss.rating_weight = 0.5f;
  loss.softmax_weight = 1.f;
  loss.positive_min = -0.5f;
  const StepInputs in = bag_inputs(ux, ix, ubag, ibag, share);
  const StepBatch b = whole_batch(users, items, targets, negs);
  const int before = at::get_num_threads();
  std::vector<at::Tensor> grads;
  std::vector<double> losses;
  for (int threads : {1, 2}) {
    at::set_num_threads(threads);
    c10::InferenceMode guard;
    TwoTowerStep step(impl, n, /*for_training=*/true, m);
    losses.push_back(step.run(in, b, loss, /*backward=*/true).loss);
    grads.push_back(impl.grads.clone());
  }
  at::set_num_threads(before);
  CHECK(losses[0] == losses[1]);
  CHECK(at::equal(grads[0], grads[1]));
  CHECK(grads[0].abs().sum().item<float>() > 0.f);
}

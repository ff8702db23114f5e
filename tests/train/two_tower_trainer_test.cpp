#include "train/two_tower_trainer.h"

#include <algorithm>
#include <cmath>

#include <ATen/ops/equal.h>
#include <catch2/catch.hpp>

#include "core/error.h"
#include "core/rng.h"
#include "model/two_tower_impl.h"
#include "test_util.h"
#include "train/threads.h"
#include "train/train_state.h"

using namespace towerrec;

namespace {

struct Planted {
  FeatureMatrix users, items;
  TrainPairs train, val;
};

FeatureMatrix random_matrix(int64_t rows, int64_t cols, Rng& rng) {
  FeatureMatrix m;
  for (int64_t c = 0; c < cols; ++c) m.names.push_back("f" + std::to_string(c));
  m.resize(rows);
  for (float& v : m.data) v = static_cast<float>(rng.normal());
  return m;
}

// Targets = 0.9 * cosine(A x_user, B x_item) for fixed random projections A, B: a problem the two
// towers can fit exactly, so a working trainer drives the loss far below the targets' variance.
// noise_val: validation targets are pure noise instead (for early stopping).
Planted planted(int64_t n_train, int64_t n_val, bool noise_val = false) {
  Rng rng(99);
  Planted p;
  p.users = random_matrix(120, 6, rng);
  p.items = random_matrix(90, 5, rng);
  const int k = 3;
  std::vector<double> a(6 * k), b(5 * k);
  for (double& v : a) v = rng.normal();
  for (double& v : b) v = rng.normal();
  auto project = [&](const FeatureMatrix& m, int64_t r, const std::vector<double>& w) {
    std::vector<double> out(k, 0.0);
    for (int64_t c = 0; c < m.cols(); ++c)
      for (int j = 0; j < k; ++j) out[j] += m.row(r)[c] * w[static_cast<size_t>(c * k + j)];
    return out;
  };
  auto add = [&](TrainPairs& pairs, int64_t n, bool noise) {
    for (int64_t i = 0; i < n; ++i) {
      const auto u = static_cast<int32_t>(rng.below(120));
      const auto it = static_cast<int32_t>(rng.below(90));
      const auto pu = project(p.users, u, a), pi = project(p.items, it, b);
      double dot = 0, nu = 0, ni = 0;
      for (int j = 0; j < k; ++j) dot += pu[j] * pi[j], nu += pu[j] * pu[j], ni += pi[j] * pi[j];
      pairs.user.push_back(u);
      pairs.item.push_back(it);
      pairs.target.push_back(noise ? static_cast<float>(2 * rng.uniform() - 1)
                                   : static_cast<float>(0.9 * dot / std::sqrt(nu * ni)));
    }
  };
  add(p.train, n_train, false);
  add(p.val, n_val, noise_val);
  return p;
}

ModelOptions small_model() {
  ModelOptions model;
  model.user_hidden = {32, 16};
  model.item_hidden = {32, 16};
  model.dim = 8;
  return model;
}

TrainOptions fast_train() {
  TrainOptions t;
  t.lr = 0.01;
  t.batch_size = 64;
  t.epochs = 25;
  t.patience = 0;
  t.seed = 5;
  return t;
}

}  // namespace

TEST_CASE("two-tower trainer: fits a planted problem", "[train]") {
  const Planted p = planted(4000, 500);
  TwoTowerModel model(6, 5, small_model(), 1);
  const double before = evaluate_two_tower(model, p.users, p.items, p.val);
  double variance = 0;
  for (float t : p.val.target) variance += t * t;
  variance /= static_cast<double>(p.val.size());
  int progress_calls = 0;
  const TrainResult r = train_two_tower(model, p.users, p.items, p.train, p.val, fast_train(),
                                        nullptr, [&](const Progress&) { ++progress_calls; });
  REQUIRE(r.history.size() == 25);
  CHECK(r.best_epoch == 25);
  CHECK(progress_calls >= 25);
  CHECK(r.history.back().train_loss < r.history.front().train_loss);
  CHECK(r.history.back().val_loss < 0.1 * variance);
  CHECK(r.history.back().val_loss < 0.1 * before);
  CHECK(r.best_val_loss == r.history.back().val_loss);
  CHECK(evaluate_two_tower(model, p.users, p.items, p.val) ==
        Approx(r.best_val_loss).epsilon(1e-9));
  for (const auto& m : r.history) {
    CHECK(m.rows_per_sec > 0);
    CHECK(m.seconds > 0);
  }
  // predict_two_tower agrees with the loss it reports.
  const auto pred = predict_two_tower(model, p.users, p.items, p.val.user, p.val.item);
  double sse = 0;
  for (size_t k = 0; k < pred.size(); ++k) sse += std::pow(pred[k] - p.val.target[k], 2);
  CHECK(sse / static_cast<double>(pred.size()) == Approx(r.best_val_loss).epsilon(1e-6));
}

TEST_CASE("two-tower trainer: same seed and threads give identical losses and weights", "[train]") {
  const Planted p = planted(1500, 200);
  TrainOptions opts = fast_train();
  opts.epochs = 3;
  opts.batch_size = 50;  // the last batch is partial
  auto run = [&](int threads) {
    set_threads(threads);
    TwoTowerModel model(6, 5, small_model(), 1);
    TrainResult r = train_two_tower(model, p.users, p.items, p.train, p.val, opts);
    set_threads(1);
    return std::make_pair(r, model.impl().params.clone());
  };
  const auto [r1, w1] = run(1);
  const auto [r2, w2] = run(1);
  REQUIRE(r1.history.size() == r2.history.size());
  for (size_t e = 0; e < r1.history.size(); ++e) {
    CHECK(r1.history[e].train_loss == r2.history[e].train_loss);
    CHECK(r1.history[e].val_loss == r2.history[e].val_loss);
  }
  CHECK(at::equal(w1, w2));
  // Another seed shuffles differently.
  opts.seed = 6;
  const auto [r4, w4] = run(1);
  CHECK(r4.history.back().train_loss != r1.history.back().train_loss);

  // Batches of >= 128 rows run the towers on two threads when there are two: the same arithmetic,
  // so the same bits as one thread.
  opts.seed = 5;
  opts.batch_size = 400;
  const auto [r5, w5] = run(1);
  const auto [r6, w6] = run(2);
  CHECK(r5.history.back().train_loss == r6.history.back().train_loss);
  CHECK(r5.history.back().val_loss == r6.history.back().val_loss);
  CHECK(at::equal(w5, w6));
}

TEST_CASE("two-tower trainer: early stopping keeps the best validation weights", "[train]") {
  const Planted p = planted(600, 300, /*noise_val=*/true);
  TrainOptions opts = fast_train();
  opts.epochs = 40;
  opts.patience = 2;
  TwoTowerModel model(6, 5, small_model(), 1);
  int calls = 0;
  const TrainResult r = train_two_tower(
      model, p.users, p.items, p.train, p.val, opts,
      [&](const EpochMetrics& m, const TwoTowerModel& mm) {
        ++calls;
        CHECK(m.epoch == calls);
        // The model handed over holds that epoch's weights.
        CHECK(evaluate_two_tower(mm, p.users, p.items, p.val) == Approx(m.val_loss).epsilon(1e-9));
      });
  CHECK(calls == static_cast<int>(r.history.size()));
  REQUIRE(r.stopped_early);
  CHECK(static_cast<int64_t>(r.history.size()) == r.best_epoch + 2);
  double best = 1e9;
  int64_t best_epoch = 0;
  for (const auto& m : r.history)
    if (m.val_loss < best) best = m.val_loss, best_epoch = m.epoch;
  CHECK(r.best_epoch == best_epoch);
  CHECK(r.best_val_loss == best);
  CHECK(evaluate_two_tower(model, p.users, p.items, p.val) == Approx(best).epsilon(1e-9));
}

TEST_CASE("two-tower trainer: resuming from any epoch state gives the uninterrupted bits",
          "[train]") {
  // Early stopping on noise validation: the resumed position includes the best epoch, the best
  // weights and the patience count, besides weights, Adam moments, the Rng and the permutation.
  const Planted p = planted(600, 300, /*noise_val=*/true);
  TrainOptions opts = fast_train();
  opts.epochs = 40;
  opts.patience = 2;
  opts.batch_size = 50;  // the last batch is partial
  std::vector<TrainState> states;
  TwoTowerModel full(6, 5, small_model(), 1);
  const TrainResult r =
      train_two_tower(full, p.users, p.items, p.train, p.val, opts, nullptr, nullptr, nullptr,
                      nullptr, [&](TrainState& s) { states.push_back(s); });
  REQUIRE(r.stopped_early);
  REQUIRE(states.size() == r.history.size());
  REQUIRE(states.size() >= 3);
  CHECK(states.back().finished);
  CHECK(!states[states.size() - 2].finished);
  for (size_t k = 0; k < states.size(); ++k) CHECK(states[k].epochs_done == int64_t(k) + 1);

  // Through the file format once, to resume exactly what a run reads back.
  test::TempDir dir;
  save_train_state(dir.file("s.bin"), states[0]);
  const TrainState from_file = load_train_state(dir.file("s.bin"));
  const std::vector<const TrainState*> resume_points = {
      &from_file, &states[static_cast<size_t>(r.best_epoch - 1)], &states[states.size() / 2],
      &states[states.size() - 2], &states.back()};
  for (const TrainState* s : resume_points) {
    INFO("resuming after epoch " << s->epochs_done);
    // Other initial weights: everything must come from the state.
    TwoTowerModel model(6, 5, small_model(), 77);
    int new_epochs = 0;
    const TrainResult q = train_two_tower(
        model, p.users, p.items, p.train, p.val, opts,
        [&](const EpochMetrics& m, const TwoTowerModel&) {
          CHECK(m.epoch == s->epochs_done + 1 + new_epochs);
          ++new_epochs;
        },
        nullptr, nullptr, s);
    CHECK(new_epochs == static_cast<int>(r.history.size()) - s->epochs_done);
    REQUIRE(q.history.size() == r.history.size());
    for (size_t e = 0; e < r.history.size(); ++e) {
      CHECK(q.history[e].train_loss == r.history[e].train_loss);
      CHECK(q.history[e].val_loss == r.history[e].val_loss);
    }
    CHECK(q.best_epoch == r.best_epoch);
    CHECK(q.best_val_loss == r.best_val_loss);
    CHECK(q.stopped_early == r.stopped_early);
    CHECK(at::equal(model.impl().params, full.impl().params));
  }

  // Without early stopping too (no best weights in the state).
  opts.patience = 0;
  opts.epochs = 4;
  states.clear();
  TwoTowerModel plain(6, 5, small_model(), 1);
  const TrainResult r2 =
      train_two_tower(plain, p.users, p.items, p.train, p.val, opts, nullptr, nullptr, nullptr,
                      nullptr, [&](TrainState& s) { states.push_back(s); });
  CHECK(states[1].best_params.empty());
  TwoTowerModel resumed(6, 5, small_model(), 1);
  const TrainResult q2 = train_two_tower(resumed, p.users, p.items, p.train, p.val, opts, nullptr,
                                         nullptr, nullptr, &states[1]);
  CHECK(q2.history.back().train_loss == r2.history.back().train_loss);
  CHECK(at::equal(resumed.impl().params, plain.impl().params));

  // A state that does not fit the model or the data is refused.
  TwoTowerModel other(6, 5, ModelOptions{}, 1);
  CHECK_THROWS_WITH(train_two_tower(other, p.users, p.items, p.train, p.val, opts, nullptr, nullptr,
                                    nullptr, &states[1]),
                    Catch::StartsWith("two-tower training: resume state: expected " +
                                      std::to_string(other.num_parameters()) +
                                      " parameters (the model's), found " +
                                      std::to_string(plain.num_parameters())));
  TrainPairs fewer = p.train;
  fewer.user.pop_back(), fewer.item.pop_back(), fewer.target.pop_back();
  CHECK_THROWS_WITH(train_two_tower(resumed, p.users, p.items, fewer, p.val, opts, nullptr, nullptr,
                                    nullptr, &states[1]),
                    "two-tower training: resume state: expected a shuffle order of 599 training "
                    "pairs, found 600");
}

TEST_CASE("two-tower trainer: weight averaging (train.ema_decay)", "[train]") {
  const Planted p = planted(600, 300);
  TrainOptions opts = fast_train();
  opts.epochs = 4;
  TwoTowerModel plain(6, 5, small_model(), 1);
  std::vector<TrainState> plain_states;
  train_two_tower(plain, p.users, p.items, p.train, p.val, opts, nullptr, nullptr, nullptr, nullptr,
                  [&](TrainState& s) { plain_states.push_back(s); });

  opts.ema_decay = 0.9;
  opts.patience = 2;
  TwoTowerModel averaged(6, 5, small_model(), 1);
  std::vector<TrainState> states;
  std::vector<at::Tensor> handed;
  const TrainResult r = train_two_tower(
      averaged, p.users, p.items, p.train, p.val, opts,
      [&](const EpochMetrics& m, const TwoTowerModel& mm) {
        // Validation scores the averaged weights, and they are what the model holds.
        CHECK(evaluate_two_tower(mm, p.users, p.items, p.val) == Approx(m.val_loss).epsilon(1e-9));
        handed.push_back(mm.impl().params.clone());
      },
      nullptr, nullptr, nullptr, [&](TrainState& s) { states.push_back(s); });
  REQUIRE(states.size() == 4);
  for (size_t e = 0; e < states.size(); ++e) {
    INFO("epoch " << e + 1);
    // Averaging leaves the steps' own trajectory alone ...
    CHECK(states[e].params == plain_states[e].params);
    CHECK(states[e].adam_m == plain_states[e].adam_m);
    // ... and the state carries the average the epoch was scored with.
    const float* h = handed[e].data_ptr<float>();
    CHECK(states[e].average == std::vector<float>(h, h + handed[e].numel()));
    CHECK(states[e].average != states[e].params);
  }
  // The kept model is the best epoch's average.
  const float* kept = averaged.impl().params.data_ptr<float>();
  CHECK(std::vector<float>(kept, kept + averaged.num_parameters()) ==
        states[static_cast<size_t>(r.best_epoch - 1)].average);

  // One step: the average is d * initial + (1 - d) * stepped, exactly as the formula says.
  TrainOptions one = opts;
  one.epochs = 1;
  one.batch_size = p.train.size();
  TwoTowerModel init(6, 5, small_model(), 1), stepped(6, 5, small_model(), 1);
  std::vector<TrainState> s1;
  train_two_tower(stepped, p.users, p.items, p.train, p.val, one, nullptr, nullptr, nullptr,
                  nullptr, [&](TrainState& s) { s1.push_back(s); });
  REQUIRE(s1.size() == 1);
  const float* w0 = init.impl().params.data_ptr<float>();
  for (size_t k = 0; k < s1[0].params.size(); k += 97)
    CHECK(s1[0].average[k] == Approx(0.9f * w0[k] + 0.1f * s1[0].params[k]).margin(1e-7));

  // Resuming after any epoch ends with the uninterrupted bits.
  for (size_t k = 0; k + 1 < states.size(); ++k) {
    INFO("resuming after epoch " << k + 1);
    TwoTowerModel resumed(6, 5, small_model(), 77);
    train_two_tower(resumed, p.users, p.items, p.train, p.val, opts, nullptr, nullptr, nullptr,
                    &states[k]);
    CHECK(at::equal(resumed.impl().params, averaged.impl().params));
  }
  // A state without the average does not resume an averaging run.
  TrainState no_average = states[1];
  no_average.average.clear();
  TwoTowerModel resumed(6, 5, small_model(), 77);
  CHECK_THROWS_WITH(train_two_tower(resumed, p.users, p.items, p.train, p.val, opts, nullptr,
                                    nullptr, nullptr, &no_average),
                    "two-tower training: resume state: expected " +
                        std::to_string(plain.num_parameters()) +
                        " averaged weights (train.ema_decay), found 0");
}

TEST_CASE("two-tower trainer: no validation pairs trains every epoch", "[train]") {
  const Planted p = planted(300, 0);
  TrainOptions opts = fast_train();
  opts.epochs = 3;
  opts.patience = 1;
  TwoTowerModel model(6, 5, small_model(), 1);
  const TrainResult r = train_two_tower(model, p.users, p.items, p.train, p.val, opts);
  CHECK(r.history.size() == 3);
  CHECK(r.best_epoch == 3);
  CHECK(std::isnan(r.best_val_loss));
  CHECK(std::isnan(evaluate_two_tower(model, p.users, p.items, p.val)));
}

TEST_CASE("two-tower trainer: mismatched inputs are errors", "[train]") {
  Planted p = planted(100, 10);
  TwoTowerModel model(6, 5, small_model(), 1);
  TwoTowerModel wide(7, 5, small_model(), 1);
  CHECK_THROWS_WITH(
      train_two_tower(wide, p.users, p.items, p.train, p.val, fast_train()),
      "two-tower training: user features: expected 7 columns (the model's input width), found 6");
  p.train.user[3] = 120;
  CHECK_THROWS_WITH(train_two_tower(model, p.users, p.items, p.train, p.val, fast_train()),
                    "two-tower training: train pair 3: user row 120 is outside the user features "
                    "(120 rows)");
  p.train.user[3] = 0;
  p.val.item.pop_back();
  CHECK_THROWS_WITH(train_two_tower(model, p.users, p.items, p.train, p.val, fast_train()),
                    "two-tower training: validation pairs: expected equal user, item and target "
                    "counts, found 10, 9, 10");
  CHECK_THROWS_WITH(
      train_two_tower(model, p.users, p.items, TrainPairs{}, TrainPairs{}, fast_train()),
      "two-tower training: no training pairs");
}

// The run's model.ckpt is saved at the epochs marked kept (train/two_tower_adapter.cpp). Early
// stopping by recall keeps the best-recall epoch, which need not be the lowest validation loss:
// the writer once used the loss, so model.ckpt (what eval, recommend and export read) and
// metrics.json (the trainer's kept model) described different epochs.
TEST_CASE(
    "two-tower trainer: the epochs marked kept are the early-stopping choice and the last one "
    "kept is the model returned",
    "[train]") {
  const Planted p = planted(1500, 200);
  TrainOptions opts = fast_train();
  opts.epochs = 6;
  opts.patience = 10;
  opts.ema_decay = 0.9;  // the shipped configs average the weights too
  opts.early_stopping = EarlyStopping::kRecall;
  const std::vector<double> recalls = {0.1,  0.3, 0.2,
                                       0.25, 0.3, 0.1};  // best: 2 (ties keep the first)
  size_t calls = 0;
  TrainExtras extras;
  extras.recall = [&](const TwoTowerModel&) { return recalls.at(calls++); };
  TwoTowerModel model(6, 5, small_model(), 1);
  std::vector<int64_t> kept;
  at::Tensor kept_params;
  const auto on_epoch = [&](const EpochMetrics& m, const TwoTowerModel& at_epoch) {
    if (!m.kept) return;
    kept.push_back(m.epoch);
    kept_params = at_epoch.impl().params.clone();
  };
  const TrainResult r = train_two_tower(model, p.users, p.items, p.train, p.val, opts, on_epoch,
                                        nullptr, nullptr, nullptr, nullptr, extras);
  REQUIRE(calls == recalls.size());
  CHECK(kept == std::vector<int64_t>{1, 2});
  CHECK(r.best_epoch == 2);
  CHECK(r.history.at(1).kept);
  CHECK_FALSE(r.history.at(5).kept);
  CHECK(at::equal(model.impl().params, kept_params));
  // The validation loss kept falling after epoch 2, so a loss-based choice would have differed.
  CHECK(r.history.back().val_loss < r.history.at(1).val_loss);

  // Without early stopping every epoch is kept, and the last is returned.
  opts.patience = 0;
  calls = 0;
  kept.clear();
  TwoTowerModel last(6, 5, small_model(), 1);
  train_two_tower(last, p.users, p.items, p.train, p.val, opts, on_epoch, nullptr, nullptr, nullptr,
                  nullptr, extras);
  CHECK(kept == std::vector<int64_t>{1, 2, 3, 4, 5, 6});
  CHECK(at::equal(last.impl().params, kept_params));
}

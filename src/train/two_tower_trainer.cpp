#include "train/two_tower_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include <ATen/ops/empty_like.h>
#include <c10/core/InferenceMode.h>

#include "core/error.h"
#include "core/rng.h"
#include "model/two_tower_impl.h"
#include "train/distributed.h"
#include "train/flat_adam_impl.h"
#include "train/train_state.h"
#include "train/two_tower_step_impl.h"

namespace towerrec {
namespace {

using Clock = std::chrono::steady_clock;

// Rows per forward pass when only scoring (validation, prediction).
constexpr int64_t kEvalBatch = 4096;
// Progress is reported at most this often (the callback formats strings).
constexpr double kProgressSeconds = 0.25;

void check_matrix(const FeatureMatrix& x, int64_t want_cols, const char* what) {
  if (x.cols() != want_cols)
    throw Error(std::string("two-tower training: ") + what + " features: expected " +
                std::to_string(want_cols) + " columns (the model's input width), found " +
                std::to_string(x.cols()));
  if (static_cast<int64_t>(x.data.size()) != x.rows * x.cols())
    throw Error(std::string("two-tower training: ") + what + " features: expected " +
                std::to_string(x.rows * x.cols()) + " values (rows x columns), found " +
                std::to_string(x.data.size()));
}

void check_pairs(const TrainPairs& p, const char* what, const FeatureMatrix& ux,
                 const FeatureMatrix& ix) {
  if (p.user.size() != p.target.size() || p.item.size() != p.target.size())
    throw Error(std::string("two-tower training: ") + what + " pairs: expected equal user, item " +
                "and target counts, found " + std::to_string(p.user.size()) + ", " +
                std::to_string(p.item.size()) + ", " + std::to_string(p.target.size()));
  for (size_t k = 0; k < p.user.size(); ++k) {
    if (p.user[k] < 0 || p.user[k] >= ux.rows)
      throw Error(std::string("two-tower training: ") + what + " pair " + std::to_string(k) +
                  ": user row " + std::to_string(p.user[k]) + " is outside the user features (" +
                  std::to_string(ux.rows) + " rows)");
    if (p.item[k] < 0 || p.item[k] >= ix.rows)
      throw Error(std::string("two-tower training: ") + what + " pair " + std::to_string(k) +
                  ": item row " + std::to_string(p.item[k]) + " is outside the item features (" +
                  std::to_string(ix.rows) + " rows)");
  }
}

void check_inputs(const TwoTowerModel& model, const FeatureMatrix& ux, const FeatureMatrix& ix) {
  check_matrix(ux, model.user_in(), "user");
  check_matrix(ix, model.item_in(), "item");
}

// Sum of squared errors (or predictions into `pred`) over all pairs, in forward-only batches.
double score(const TwoTowerModel::Impl& impl, const FeatureMatrix& ux, const FeatureMatrix& ix,
             const int32_t* user, const int32_t* item, const float* target, int64_t n,
             TwoTowerStep& step, float* pred) {
  double sse = 0;
  for (int64_t start = 0; start < n; start += step.capacity()) {
    const int64_t count = std::min(step.capacity(), n - start);
    sse += step.run(ux, ix, user + start, item + start, target ? target + start : nullptr, count,
                    /*backward=*/false);
    if (pred) std::copy(step.predictions().begin(), step.predictions().end(), pred + start);
  }
  return sse;
}

std::vector<float> to_vector(const at::Tensor& t) {
  const float* p = t.data_ptr<float>();
  return std::vector<float>(p, p + t.numel());
}

void from_vector(const std::vector<float>& v, at::Tensor& t) {
  std::copy(v.begin(), v.end(), t.data_ptr<float>());
}

// The state after `epoch`: what restore_state() needs to continue with epoch + 1.
TrainState capture_state(const TrainResult& result, int64_t epoch, bool finished,
                         const TwoTowerModel::Impl& impl, const FlatAdam& adam,
                         const at::Tensor* best_params, const Rng& rng,
                         const std::vector<int32_t>& order) {
  TrainState s;
  s.epochs_done = epoch;
  s.finished = finished;
  s.stopped_early = result.stopped_early;
  s.history = result.history;
  s.best_epoch = result.best_epoch;
  s.best_val_loss = result.best_val_loss;
  s.adam_steps = adam.steps();
  s.rng = rng.state();
  s.params = to_vector(impl.params);
  s.adam_m = adam.first_moment();
  s.adam_v = adam.second_moment();
  if (best_params) s.best_params = to_vector(*best_params);
  s.order = order;
  return s;
}

void restore_state(const TrainState& s, TwoTowerModel::Impl& impl, FlatAdam& adam,
                   at::Tensor* best_params, Rng& rng, std::vector<int32_t>& order, int64_t epochs) {
  const size_t p = static_cast<size_t>(impl.params.numel());
  if (s.params.size() != p)
    throw Error("two-tower training: resume state: expected " + std::to_string(p) +
                " parameters (the model's), found " + std::to_string(s.params.size()));
  if (s.order.size() != order.size())
    throw Error("two-tower training: resume state: expected a shuffle order of " +
                std::to_string(order.size()) + " training pairs, found " +
                std::to_string(s.order.size()));
  if (best_params && s.best_params.size() != p)
    throw Error("two-tower training: resume state: expected " + std::to_string(p) +
                " best weights (early stopping is on), found " +
                std::to_string(s.best_params.size()));
  if (s.epochs_done > epochs || static_cast<int64_t>(s.history.size()) != s.epochs_done)
    throw Error("two-tower training: resume state: expected at most " + std::to_string(epochs) +
                " completed epochs (train.epochs) with one history entry each, found " +
                std::to_string(s.epochs_done) + " and " + std::to_string(s.history.size()));
  std::vector<char> seen(order.size(), 0);
  for (int32_t k : s.order) {
    if (k < 0 || static_cast<size_t>(k) >= order.size() || seen[static_cast<size_t>(k)])
      throw Error(
          "two-tower training: resume state: the shuffle order is not a permutation of "
          "the training pairs");
    seen[static_cast<size_t>(k)] = 1;
  }
  if (!rng.set_state(s.rng))
    throw Error("two-tower training: resume state: the random generator state does not parse");
  from_vector(s.params, impl.params);
  adam.restore(s.adam_steps, s.adam_m, s.adam_v);
  if (best_params) from_vector(s.best_params, *best_params);
  order = s.order;
}

std::string format_loss(const char* name, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %.5f", name, v);
  return buf;
}

}  // namespace

TrainResult train_two_tower(TwoTowerModel& model, const FeatureMatrix& user_x,
                            const FeatureMatrix& item_x, const TrainPairs& train,
                            const TrainPairs& val, const TrainOptions& opts,
                            const EpochFn& on_epoch, const ProgressFn& progress, DistContext* dist,
                            const TrainState* resume, const StateFn& on_state) {
  DistContext one_process;
  DistContext& dc = dist ? *dist : one_process;
  check_inputs(model, user_x, item_x);
  check_pairs(train, "train", user_x, item_x);
  check_pairs(val, "validation", user_x, item_x);
  const int64_t n = train.size();
  if (n == 0) throw Error("two-tower training: no training pairs");
  if (n > std::numeric_limits<int32_t>::max())
    throw Error("two-tower training: expected at most 2^31-1 training pairs, found " +
                std::to_string(n));
  if (opts.batch_size < 1 || opts.epochs < 1)
    throw UsageError("two-tower training: train.batch_size and train.epochs must be >= 1");

  c10::InferenceMode inference;  // no autograd anywhere: the backward pass is hand-written
  TwoTowerModel::Impl& impl = model.impl();
  TwoTowerStep step(impl, std::min(opts.batch_size, n), /*for_training=*/true);
  const int64_t n_val = val.size();
  TwoTowerStep val_step(impl, std::max<int64_t>(1, std::min(kEvalBatch, n_val)),
                        /*for_training=*/false);
  AdamOptions adam_opts;
  adam_opts.lr = opts.lr;
  adam_opts.weight_decay = opts.weight_decay;
  FlatAdam adam(impl.params, impl.grads, adam_opts);

  const bool early_stopping = n_val > 0 && opts.patience > 0;
  at::Tensor best_params;
  if (early_stopping) best_params = impl.params.clone();

  Rng rng(opts.seed);
  std::vector<int32_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::vector<int32_t> users(order.size()), items(order.size());
  std::vector<float> targets(order.size());

  TrainResult result;
  result.best_val_loss = std::numeric_limits<double>::infinity();
  int64_t first_epoch = 1;
  if (resume) {
    restore_state(*resume, impl, adam, early_stopping ? &best_params : nullptr, rng, order,
                  opts.epochs);
    result.history = resume->history;
    result.best_epoch = resume->best_epoch;
    result.best_val_loss = resume->best_val_loss;
    result.stopped_early = resume->stopped_early;
    first_epoch = resume->finished ? opts.epochs + 1 : resume->epochs_done + 1;
  }
  const std::string total_epochs = std::to_string(opts.epochs);
  for (int64_t epoch = first_epoch; epoch <= opts.epochs; ++epoch) {
    // Shuffle once, then lay the epoch's pairs out contiguously so each step reads straight runs.
    rng.shuffle(order);
    for (size_t k = 0; k < order.size(); ++k) {
      users[k] = train.user[static_cast<size_t>(order[k])];
      items[k] = train.item[static_cast<size_t>(order[k])];
      targets[k] = train.target[static_cast<size_t>(order[k])];
    }
    const std::string stage = "epoch " + std::to_string(epoch) + "/" + total_epochs;
    const auto start = Clock::now();
    auto last_report = start;
    double sse = 0;
    int64_t steps = 0;
    for (int64_t s = 0; s < n; s += opts.batch_size, ++steps) {
      const int64_t count = std::min(opts.batch_size, n - s);
      if (!dc.distributed()) {
        sse += step.run(user_x, item_x, users.data() + s, items.data() + s, targets.data() + s,
                        count, /*backward=*/true);
      } else {
        // This rank's shard of the global batch; its mean gradient weighted by its share.
        const int64_t lo = s + dc.shard_begin(count),
                      rows = dc.shard_end(count) - dc.shard_begin(count);
        if (rows > 0) {
          sse += step.run(user_x, item_x, users.data() + lo, items.data() + lo, targets.data() + lo,
                          rows, /*backward=*/true);
          impl.grads.mul_(static_cast<double>(rows) / static_cast<double>(count));
        } else {
          impl.grads.zero_();
        }
        dc.all_reduce_sum(impl.grads.data_ptr<float>(), impl.grads.numel());
      }
      adam.step();
      if (progress && (steps & 15) == 15) {
        const auto now = Clock::now();
        if (std::chrono::duration<double>(now - last_report).count() >= kProgressSeconds) {
          last_report = now;
          progress({stage, static_cast<uint64_t>(s + count), static_cast<uint64_t>(n), "rows",
                    format_loss("loss", sse / static_cast<double>(s + count))});
        }
      }
    }
    EpochMetrics m;
    m.epoch = epoch;
    m.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    // Validation in shards; one all-reduce carries both sums (train, validation).
    const int64_t v0 = dc.shard_begin(n_val), v1 = dc.shard_end(n_val);
    double sums[2] = {sse, score(impl, user_x, item_x, val.user.data() + v0, val.item.data() + v0,
                                 val.target.data() + v0, v1 - v0, val_step, nullptr)};
    dc.all_reduce_sum(sums, 2);
    m.train_loss = sums[0] / static_cast<double>(n);
    m.rows_per_sec = m.seconds > 0 ? static_cast<double>(n) / m.seconds : 0;
    m.val_loss =
        n_val > 0 ? sums[1] / static_cast<double>(n_val) : std::numeric_limits<double>::quiet_NaN();
    result.history.push_back(m);
    if (progress)
      progress({stage, static_cast<uint64_t>(n), static_cast<uint64_t>(n), "rows",
                format_loss("loss", m.train_loss) +
                    (n_val > 0 ? ", " + format_loss("val", m.val_loss) : std::string())});

    bool stop = false;
    if (early_stopping) {
      if (m.val_loss < result.best_val_loss) {
        result.best_val_loss = m.val_loss;
        result.best_epoch = epoch;
        best_params.copy_(impl.params);
      } else if (epoch - result.best_epoch >= opts.patience) {
        stop = epoch < opts.epochs;
      }
    } else {
      result.best_val_loss = m.val_loss;
      result.best_epoch = epoch;
    }
    if (on_epoch) on_epoch(m, model);
    if (stop) result.stopped_early = true;
    if (on_state) {
      TrainState state = capture_state(result, epoch, stop || epoch == opts.epochs, impl, adam,
                                       early_stopping ? &best_params : nullptr, rng, order);
      on_state(state);
    }
    if (stop) break;
  }
  if (early_stopping) {
    if (result.best_epoch == 0) {  // validation never finite: keep the last weights
      result.best_epoch = static_cast<int64_t>(result.history.size());
      result.best_val_loss = result.history.back().val_loss;
    } else if (result.best_epoch != static_cast<int64_t>(result.history.size())) {
      impl.params.copy_(best_params);
    }
  }
  return result;
}

std::vector<float> predict_two_tower(const TwoTowerModel& model, const FeatureMatrix& user_x,
                                     const FeatureMatrix& item_x, const std::vector<int32_t>& user,
                                     const std::vector<int32_t>& item) {
  check_inputs(model, user_x, item_x);
  TrainPairs pairs{user, item, std::vector<float>(user.size())};
  check_pairs(pairs, "prediction", user_x, item_x);
  const int64_t n = pairs.size();
  std::vector<float> pred(static_cast<size_t>(n));
  if (n == 0) return pred;
  c10::InferenceMode inference;
  TwoTowerStep step(model.impl(), std::min(kEvalBatch, n), /*for_training=*/false);
  score(model.impl(), user_x, item_x, user.data(), item.data(), nullptr, n, step, pred.data());
  return pred;
}

double evaluate_two_tower(const TwoTowerModel& model, const FeatureMatrix& user_x,
                          const FeatureMatrix& item_x, const TrainPairs& pairs) {
  check_inputs(model, user_x, item_x);
  check_pairs(pairs, "evaluation", user_x, item_x);
  const int64_t n = pairs.size();
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  c10::InferenceMode inference;
  TwoTowerStep step(model.impl(), std::min(kEvalBatch, n), /*for_training=*/false);
  return score(model.impl(), user_x, item_x, pairs.user.data(), pairs.item.data(),
               pairs.target.data(), n, step, nullptr) /
         static_cast<double>(n);
}

}  // namespace towerrec

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
#include "dist/dist_context.h"
#include "model/two_tower_impl.h"
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
double score(const StepInputs& in, const int32_t* user, const int32_t* item, const float* target,
             int64_t n, TwoTowerStep& step, float* pred) {
  double sse = 0;
  for (int64_t start = 0; start < n; start += step.capacity()) {
    const int64_t count = std::min(step.capacity(), n - start);
    StepBatch b;
    b.user = user + start;
    b.item = item + start;
    b.target = target ? target + start : nullptr;
    b.n = count;
    b.hi = count;
    sse += step.run(in, b, StepLoss{}, /*backward=*/false).sse;
    if (pred) std::copy(step.predictions().begin(), step.predictions().end(), pred + start);
  }
  return sse;
}

// The loss terms train.loss asks for; positive_min in scaled target units.
StepLoss step_loss(const TrainOptions& opts, double positive_min) {
  StepLoss l;
  l.rating_weight = opts.loss == TrainLoss::kSoftmax ? 0.f
                    : opts.loss == TrainLoss::kJoint ? static_cast<float>(opts.rating_weight)
                                                     : 1.f;
  l.softmax_weight = opts.loss == TrainLoss::kMse     ? 0.f
                     : opts.loss == TrainLoss::kJoint ? static_cast<float>(opts.softmax_weight)
                                                      : 1.f;
  l.inv_temperature = static_cast<float>(1.0 / opts.temperature);
  l.positive_min = static_cast<float>(positive_min);
  return l;
}

// The pairs whose target reaches `min` (softmax-only training learns from positives alone).
TrainPairs positives_of(const TrainPairs& p, float min) {
  TrainPairs out;
  for (size_t k = 0; k < p.target.size(); ++k) {
    if (p.target[k] < min) continue;
    out.user.push_back(p.user[k]);
    out.item.push_back(p.item[k]);
    out.target.push_back(p.target[k]);
  }
  return out;
}

// Each catalogue item's share of the rows batches are drawn from, floored at one row so that a
// candidate never seen in training (a validation item) gets a finite correction.
std::vector<float> item_shares(const TrainPairs& rows, const std::vector<int32_t>& key,
                               int64_t num_keys) {
  std::vector<double> count(static_cast<size_t>(num_keys), 0);
  for (int32_t i : rows.item) count[static_cast<size_t>(key.empty() ? i : key[i])] += 1;
  std::vector<float> share(count.size());
  const double n = std::max<double>(1, static_cast<double>(rows.size()));
  for (size_t i = 0; i < count.size(); ++i)
    share[i] = static_cast<float>(std::max(count[i], 1.0) / n);
  return share;
}

// Validation loss with a softmax term: consecutive batches of `batch` pairs, dealt round-robin to
// the ranks; returns this rank's sum of batch loss x batch rows.
double softmax_validation(const StepInputs& in, const TrainPairs& val, int64_t batch,
                          const StepLoss& loss, TwoTowerStep& step, const DistContext& ranks) {
  double sum = 0;
  int64_t index = 0;
  for (int64_t s = 0; s < val.size(); s += batch, ++index) {
    if (index % ranks.world_size() != ranks.rank()) continue;
    const int64_t count = std::min(batch, val.size() - s);
    StepBatch b;
    b.user = val.user.data() + s;
    b.item = val.item.data() + s;
    b.target = val.target.data() + s;
    b.n = count;
    b.hi = count;
    sum += step.run(in, b, loss, /*backward=*/false).loss * static_cast<double>(count);
  }
  return sum;
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
                         const at::Tensor& params, const FlatAdam& adam,
                         const at::Tensor* best_params, const at::Tensor* average, const Rng& rng,
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
  s.params = to_vector(params);
  s.adam_m = adam.first_moment();
  s.adam_v = adam.second_moment();
  if (best_params) s.best_params = to_vector(*best_params);
  if (average) s.average = to_vector(*average);
  s.order = order;
  return s;
}

void restore_state(const TrainState& s, TwoTowerModel::Impl& impl, FlatAdam& adam,
                   at::Tensor* best_params, at::Tensor* average, Rng& rng,
                   std::vector<int32_t>& order, int64_t epochs) {
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
  if ((average ? p : 0) != s.average.size())
    throw Error("two-tower training: resume state: expected " + std::to_string(average ? p : 0) +
                " averaged weights (train.ema_decay), found " + std::to_string(s.average.size()));
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
  if (average) from_vector(s.average, *average);
  order = s.order;
}

// e <- d e + (1 - d) w, in one pass (the weights are a few MB; this runs after every step).
void update_average(at::Tensor& average, const at::Tensor& params, float decay) {
  float* e = average.data_ptr<float>();
  const float* w = params.data_ptr<float>();
  const int64_t n = params.numel();
  const float rest = 1.0f - decay;
  for (int64_t k = 0; k < n; ++k) e[k] = decay * e[k] + rest * w[k];
}

std::string format_loss(const char* name, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %.5f", name, v);
  return buf;
}

}  // namespace

TrainResult train_two_tower(TwoTowerModel& model, const FeatureMatrix& user_x,
                            const FeatureMatrix& item_x, const TrainPairs& all_train,
                            const TrainPairs& all_val, const TrainOptions& opts,
                            const EpochFn& on_epoch, const ProgressFn& progress, DistContext* dist,
                            const TrainState* resume, const StateFn& on_state,
                            const TrainExtras& extras) {
  DistContext one_process;
  DistContext& ranks = dist ? *dist : one_process;
  check_inputs(model, user_x, item_x);
  check_pairs(all_train, "train", user_x, item_x);
  check_pairs(all_val, "validation", user_x, item_x);
  if (opts.batch_size < 1 || opts.epochs < 1)
    throw UsageError("two-tower training: train.batch_size and train.epochs must be >= 1");
  if (model.user_bag() > 0 && (!extras.user_bag || extras.user_bag->cols != model.user_bag() ||
                               extras.user_bag->rows != user_x.rows))
    throw Error("two-tower training: the model has a bag of " + std::to_string(model.user_bag()) +
                " watched items; expected one bag row per user feature row (" +
                std::to_string(user_x.rows) + ") over that vocabulary");
  if (model.item_bag() > 0 && (!extras.item_bag || extras.item_bag->cols != model.item_bag() ||
                               extras.item_bag->rows != item_x.rows))
    throw Error("two-tower training: the model has " + std::to_string(model.item_bag()) +
                " item ids; expected one id bag row per item feature row (" +
                std::to_string(item_x.rows) + ") over that vocabulary");
  if (!extras.item_key.empty() && static_cast<int64_t>(extras.item_key.size()) != item_x.rows)
    throw Error("two-tower training: expected one item key per item feature row");
  const double positive_min =
      std::isnan(extras.positive_min) ? opts.positive_min_rating : extras.positive_min;
  const StepLoss loss = step_loss(opts, positive_min);
  // Softmax alone learns from the positive pairs only (the rating of the others plays no part).
  const bool positives_only = loss.softmax() && !loss.rating();
  const TrainPairs train = positives_only ? positives_of(all_train, loss.positive_min) : all_train;
  const TrainPairs val = positives_only ? positives_of(all_val, loss.positive_min) : all_val;
  const int64_t n = train.size();
  if (n == 0)
    throw Error(positives_only ? "two-tower training: no training pair reaches "
                                 "train.positive_min_rating"
                               : "two-tower training: no training pairs");
  if (n > std::numeric_limits<int32_t>::max())
    throw Error("two-tower training: expected at most 2^31-1 training pairs, found " +
                std::to_string(n));
  if (opts.early_stopping == EarlyStopping::kRecall && !extras.recall)
    throw UsageError("two-tower training: train.early_stopping: recall needs a recall scorer");

  c10::InferenceMode inference;  // no autograd anywhere: the backward pass is hand-written
  TwoTowerModel::Impl& impl = model.impl();
  const int64_t num_items = extras.num_items > 0 ? extras.num_items : item_x.rows;
  const int64_t extra_negatives = loss.softmax() ? opts.extra_negatives : 0;
  TwoTowerStep step(impl, std::min(opts.batch_size, n), /*for_training=*/true, extra_negatives);
  const int64_t n_val = val.size();
  const int64_t val_capacity = loss.softmax() ? opts.batch_size : kEvalBatch;
  TwoTowerStep val_step(impl, std::max<int64_t>(1, std::min(val_capacity, n_val)),
                        /*for_training=*/false);
  StepInputs in;
  in.user_x = &user_x;
  in.item_x = &item_x;
  in.user_bag = extras.user_bag;
  in.item_bag = extras.item_bag;
  in.item_key = extras.item_key.empty() ? nullptr : extras.item_key.data();
  in.num_items = num_items;
  std::vector<float> share;
  if (loss.softmax()) {
    share = item_shares(train, extras.item_key, num_items);
    in.item_share = share.data();
  }
  AdamOptions adam_opts;
  adam_opts.lr = opts.lr;
  adam_opts.weight_decay = opts.weight_decay;
  FlatAdam adam(impl.params, impl.grads, adam_opts);

  // Weight averaging (train.ema_decay): `average` follows the steps; between epochs the model
  // holds it (validation, recall, the best snapshot, on_epoch) while `current` keeps the step's
  // weights, which training continues from.
  const bool averaging = opts.ema_decay > 0;
  at::Tensor average, current;
  if (averaging) {
    average = impl.params.clone();
    current = at::empty_like(impl.params);
  }
  const float decay = static_cast<float>(opts.ema_decay);

  const bool by_recall = opts.early_stopping == EarlyStopping::kRecall;
  const bool early_stopping = (n_val > 0 || by_recall) && opts.patience > 0;
  at::Tensor best_params;
  if (early_stopping) best_params = impl.params.clone();
  // What early stopping minimises.
  const auto criterion = [&](const EpochMetrics& e) {
    return by_recall ? -e.val_recall : e.val_loss;
  };

  Rng rng(opts.seed);
  std::vector<int32_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::vector<int32_t> users(order.size()), items(order.size());
  std::vector<float> targets(order.size());
  std::vector<int32_t> negatives(static_cast<size_t>(extra_negatives));
  const GatherFn gather =
      ranks.distributed() && loss.softmax()
          ? GatherFn([&ranks](float* p, int64_t k) { ranks.all_reduce_sum(p, k); })
          : GatherFn();

  TrainResult result;
  result.best_val_loss = std::numeric_limits<double>::infinity();
  double best_criterion = std::numeric_limits<double>::infinity();
  int64_t first_epoch = 1;
  if (resume) {
    restore_state(*resume, impl, adam, early_stopping ? &best_params : nullptr,
                  averaging ? &average : nullptr, rng, order, opts.epochs);
    result.history = resume->history;
    result.best_epoch = resume->best_epoch;
    result.best_val_loss = resume->best_val_loss;
    result.stopped_early = resume->stopped_early;
    if (result.best_epoch >= 1 && result.best_epoch <= static_cast<int64_t>(result.history.size()))
      best_criterion = criterion(result.history[static_cast<size_t>(result.best_epoch - 1)]);
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
    double loss_sum = 0;  // this rank's part of sum over steps of batch loss x batch rows
    int64_t steps = 0;
    for (int64_t s = 0; s < n; s += opts.batch_size, ++steps) {
      const int64_t count = std::min(opts.batch_size, n - s);
      StepBatch b;
      b.user = users.data() + s;
      b.item = items.data() + s;
      b.target = targets.data() + s;
      b.n = count;
      b.lo = ranks.shard_begin(count);
      b.hi = ranks.shard_end(count);
      if (extra_negatives > 0) {
        // Seeded by (seed, epoch, step): the same on every rank and after a resume.
        Rng neg(mix_seed(mix_seed(opts.seed, 0x6e65'6761'7469'7665ULL),
                         static_cast<uint64_t>(epoch) << 32 | static_cast<uint64_t>(steps)));
        for (int32_t& row : negatives)
          row = static_cast<int32_t>(neg.below(static_cast<uint64_t>(num_items)));
        b.negatives = negatives.data();
        b.m = extra_negatives;
        b.neg_lo = ranks.shard_begin(extra_negatives);
        b.neg_hi = ranks.shard_end(extra_negatives);
      }
      loss_sum +=
          step.run(in, b, loss, /*backward=*/true, gather).loss * static_cast<double>(count);
      if (ranks.distributed())
        ranks.all_reduce_gradients({{impl.grads.data_ptr<float>(), impl.grads.numel()}});
      adam.step();
      if (averaging) update_average(average, impl.params, decay);
      if (progress && (steps & 15) == 15) {
        const auto now = Clock::now();
        if (std::chrono::duration<double>(now - last_report).count() >= kProgressSeconds) {
          last_report = now;
          progress({stage, static_cast<uint64_t>(s + count), static_cast<uint64_t>(n), "rows",
                    format_loss("loss",
                                loss_sum * ranks.world_size() / static_cast<double>(s + count))});
        }
      }
    }
    EpochMetrics m;
    m.epoch = epoch;
    m.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (averaging) {
      current.copy_(impl.params);
      impl.params.copy_(average);
    }
    // Validation in shards; one all-reduce carries both sums (train, validation).
    double val_sum = 0;
    if (loss.softmax()) {
      val_sum = softmax_validation(in, val, opts.batch_size, loss, val_step, ranks);
    } else {
      const int64_t v0 = ranks.shard_begin(n_val), v1 = ranks.shard_end(n_val);
      val_sum = score(in, val.user.data() + v0, val.item.data() + v0, val.target.data() + v0,
                      v1 - v0, val_step, nullptr);
    }
    double sums[2] = {loss_sum, val_sum};
    ranks.all_reduce_sum(sums, 2);
    m.train_loss = sums[0] / static_cast<double>(n);
    m.rows_per_sec = m.seconds > 0 ? static_cast<double>(n) / m.seconds : 0;
    m.val_loss =
        n_val > 0 ? sums[1] / static_cast<double>(n_val) : std::numeric_limits<double>::quiet_NaN();
    if (by_recall) m.val_recall = extras.recall(model);
    result.history.push_back(m);
    if (progress) {
      std::string text = format_loss("loss", m.train_loss);
      if (n_val > 0) text += ", " + format_loss("val", m.val_loss);
      if (by_recall) text += ", " + format_loss("val recall", m.val_recall);
      progress({stage, static_cast<uint64_t>(n), static_cast<uint64_t>(n), "rows", text});
    }

    bool stop = false;
    if (early_stopping) {
      if (criterion(m) < best_criterion) {
        best_criterion = criterion(m);
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
      TrainState state = capture_state(
          result, epoch, stop || epoch == opts.epochs, averaging ? current : impl.params, adam,
          early_stopping ? &best_params : nullptr, averaging ? &average : nullptr, rng, order);
      on_state(state);
    }
    if (averaging) impl.params.copy_(current);
    if (stop) break;
  }
  if (averaging) impl.params.copy_(average);
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
                                     const std::vector<int32_t>& item, const SparseRows* user_bag,
                                     const SparseRows* item_bag) {
  check_inputs(model, user_x, item_x);
  TrainPairs pairs{user, item, std::vector<float>(user.size())};
  check_pairs(pairs, "prediction", user_x, item_x);
  const int64_t n = pairs.size();
  std::vector<float> pred(static_cast<size_t>(n));
  if (n == 0) return pred;
  c10::InferenceMode inference;
  TwoTowerStep step(model.impl(), std::min(kEvalBatch, n), /*for_training=*/false);
  StepInputs in;
  in.user_x = &user_x;
  in.item_x = &item_x;
  in.user_bag = user_bag;
  in.item_bag = item_bag;
  score(in, user.data(), item.data(), nullptr, n, step, pred.data());
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
  StepInputs in;
  in.user_x = &user_x;
  in.item_x = &item_x;
  return score(in, pairs.user.data(), pairs.item.data(), pairs.target.data(), n, step, nullptr) /
         static_cast<double>(n);
}

}  // namespace towerrec

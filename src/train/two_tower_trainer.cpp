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
#include "train/pair_scoring_impl.h"
#include "train/train_state.h"
#include "train/train_state_capture_impl.h"
#include "train/two_tower_step_impl.h"

namespace towerrec {
namespace {

using Clock = std::chrono::steady_clock;

// Progress is reported at most this often (the callback formats strings).
constexpr double kProgressSeconds = 0.25;

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

// What train_two_tower() checks before it allocates anything.
void check_training_inputs(const TwoTowerModel& model, const FeatureMatrix& user_x,
                           const FeatureMatrix& item_x, const TrainPairs& train,
                           const TrainPairs& val, const TrainOptions& opts,
                           const TrainExtras& extras) {
  check_inputs(model, user_x, item_x);
  check_pairs(train, "train", user_x, item_x);
  check_pairs(val, "validation", user_x, item_x);
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
  if (opts.early_stopping == EarlyStopping::kRecall && !extras.recall)
    throw UsageError("two-tower training: train.early_stopping: recall needs a recall scorer");
}

// Softmax alone learns from the positive pairs only (the rating of the others plays no part).
TrainPairs rows_to_learn(const TrainPairs& all, const StepLoss& loss) {
  return loss.softmax() && !loss.rating() ? positives_of(all, loss.positive_min) : all;
}

StepLoss loss_of(const TrainOptions& opts, const TrainExtras& extras) {
  return step_loss(
      opts, std::isnan(extras.positive_min) ? opts.positive_min_rating : extras.positive_min);
}

// One training run's moving parts: the rows, the step kernels, Adam, the shuffle, and the weights
// kept besides the live ones (the best epoch's for early stopping; the moving average for
// train.ema_decay). train_two_tower() drives it one epoch at a time.
class Training {
 public:
  Training(TwoTowerModel& model, const FeatureMatrix& user_x, const FeatureMatrix& item_x,
           const TrainPairs& all_train, const TrainPairs& all_val, const TrainOptions& opts,
           DistContext& ranks, const TrainExtras& extras)
      : model_(model),
        opts_(opts),
        ranks_(ranks),
        extras_(extras),
        impl_(model.impl()),
        loss_(loss_of(opts, extras)),
        train_(rows_to_learn(all_train, loss_)),
        val_(rows_to_learn(all_val, loss_)),
        n_(checked_size(train_, loss_)),
        num_items_(extras.num_items > 0 ? extras.num_items : item_x.rows),
        extra_negatives_(loss_.softmax() ? opts.extra_negatives : 0),
        step_(impl_, std::min(opts.batch_size, n_), /*for_training=*/true, extra_negatives_),
        val_step_(impl_,
                  std::max<int64_t>(
                      1, std::min(loss_.softmax() ? opts.batch_size : kEvalBatch, val_.size())),
                  /*for_training=*/false),
        adam_(impl_.params, impl_.grads, adam_options(opts)),
        by_recall_(opts.early_stopping == EarlyStopping::kRecall),
        early_stopping_((val_.size() > 0 || by_recall_) && opts.patience > 0),
        averaging_(opts.ema_decay > 0),
        rng_(opts.seed),
        order_(static_cast<size_t>(n_)),
        users_(order_.size()),
        items_(order_.size()),
        targets_(order_.size()),
        negatives_(static_cast<size_t>(extra_negatives_)) {
    in_.user_x = &user_x;
    in_.item_x = &item_x;
    in_.user_bag = extras.user_bag;
    in_.item_bag = extras.item_bag;
    in_.item_key = extras.item_key.empty() ? nullptr : extras.item_key.data();
    in_.num_items = num_items_;
    if (loss_.softmax()) {
      share_ = item_shares(train_, extras.item_key, num_items_);
      in_.item_share = share_.data();
    }
    if (early_stopping_) best_params_ = impl_.params.clone();
    if (averaging_) {
      average_ = impl_.params.clone();
      current_ = at::empty_like(impl_.params);
    }
    std::iota(order_.begin(), order_.end(), 0);
    if (ranks.distributed() && loss_.softmax())
      gather_ = [&ranks](float* p, int64_t k) { ranks.all_reduce_sum(p, k); };
  }

  // Continues after the state's epoch; returns the epoch to run next.
  int64_t resume_from(const TrainState& s, TrainResult& result) {
    restore_state(s, impl_, adam_, early_stopping_ ? &best_params_ : nullptr,
                  averaging_ ? &average_ : nullptr, rng_, order_, opts_.epochs);
    result.history = s.history;
    result.best_epoch = s.best_epoch;
    result.best_val_loss = s.best_val_loss;
    result.stopped_early = s.stopped_early;
    if (result.best_epoch >= 1 && result.best_epoch <= static_cast<int64_t>(result.history.size()))
      best_criterion_ = criterion(result.history[static_cast<size_t>(result.best_epoch - 1)]);
    return s.finished ? opts_.epochs + 1 : s.epochs_done + 1;
  }

  // The epoch's steps over the shuffled rows; returns this rank's sum of batch loss x batch rows.
  double run_steps(int64_t epoch, const ProgressFn& progress) {
    // Shuffle once, then lay the epoch's pairs out contiguously so each step reads straight runs.
    rng_.shuffle(order_);
    for (size_t k = 0; k < order_.size(); ++k) {
      users_[k] = train_.user[static_cast<size_t>(order_[k])];
      items_[k] = train_.item[static_cast<size_t>(order_[k])];
      targets_[k] = train_.target[static_cast<size_t>(order_[k])];
    }
    stage_ = "epoch " + std::to_string(epoch) + "/" + std::to_string(opts_.epochs);
    auto last_report = Clock::now();
    double loss_sum = 0;
    int64_t steps = 0;
    for (int64_t s = 0; s < n_; s += opts_.batch_size, ++steps) {
      const int64_t count = std::min(opts_.batch_size, n_ - s);
      StepBatch b = batch_at(s, count, epoch, steps);
      loss_sum +=
          step_.run(in_, b, loss_, /*backward=*/true, gather_).loss * static_cast<double>(count);
      if (ranks_.distributed())
        ranks_.all_reduce_gradients({{impl_.grads.data_ptr<float>(), impl_.grads.numel()}});
      adam_.step();
      if (averaging_) update_average(average_, impl_.params, static_cast<float>(opts_.ema_decay));
      if (progress && (steps & 15) == 15 &&
          std::chrono::duration<double>(Clock::now() - last_report).count() >= kProgressSeconds) {
        last_report = Clock::now();
        progress(
            {stage_, static_cast<uint64_t>(s + count), static_cast<uint64_t>(n_), "rows",
             format_loss("loss", loss_sum * ranks_.world_size() / static_cast<double>(s + count))});
      }
    }
    return loss_sum;
  }

  // Between epochs the model holds the moving average (validation, recall, the best snapshot,
  // on_epoch); training continues from the step's own weights.
  void hold_average() {
    if (!averaging_) return;
    current_.copy_(impl_.params);
    impl_.params.copy_(average_);
  }
  void hold_current() {
    if (averaging_) impl_.params.copy_(current_);
  }

  // The epoch's metrics: validation in shards; one all-reduce carries both sums (train,
  // validation).
  EpochMetrics validate(int64_t epoch, double loss_sum, double seconds) {
    EpochMetrics m;
    m.epoch = epoch;
    m.seconds = seconds;
    const int64_t n_val = val_.size();
    double val_sum = 0;
    if (loss_.softmax()) {
      val_sum = softmax_validation(in_, val_, opts_.batch_size, loss_, val_step_, ranks_);
    } else {
      const int64_t v0 = ranks_.shard_begin(n_val), v1 = ranks_.shard_end(n_val);
      val_sum = score(in_, val_.user.data() + v0, val_.item.data() + v0, val_.target.data() + v0,
                      v1 - v0, val_step_, nullptr);
    }
    double sums[2] = {loss_sum, val_sum};
    ranks_.all_reduce_sum(sums, 2);
    m.train_loss = sums[0] / static_cast<double>(n_);
    m.rows_per_sec = m.seconds > 0 ? static_cast<double>(n_) / m.seconds : 0;
    m.val_loss =
        n_val > 0 ? sums[1] / static_cast<double>(n_val) : std::numeric_limits<double>::quiet_NaN();
    if (by_recall_) m.val_recall = extras_.recall(model_);
    return m;
  }

  Progress epoch_report(const EpochMetrics& m) const {
    std::string text = format_loss("loss", m.train_loss);
    if (val_.size() > 0) text += ", " + format_loss("val", m.val_loss);
    if (by_recall_) text += ", " + format_loss("val recall", m.val_recall);
    return {stage_, static_cast<uint64_t>(n_), static_cast<uint64_t>(n_), "rows", text};
  }

  // Early stopping: remembers the epoch if it is the best so far and sets m.kept the way finish()
  // will choose (the best epoch; the last one while none had a finite criterion); returns whether
  // to stop.
  bool keep_best(EpochMetrics& m, TrainResult& result) {
    if (!early_stopping_) {
      result.best_val_loss = m.val_loss;
      result.best_epoch = m.epoch;
      m.kept = true;
      return false;
    }
    if (criterion(m) < best_criterion_) {
      best_criterion_ = criterion(m);
      result.best_val_loss = m.val_loss;
      result.best_epoch = m.epoch;
      best_params_.copy_(impl_.params);
      m.kept = true;
      return false;
    }
    m.kept = result.best_epoch == 0;
    return m.epoch - result.best_epoch >= opts_.patience && m.epoch < opts_.epochs;
  }

  TrainState capture(const TrainResult& result, int64_t epoch, bool finished) const {
    return capture_state(result, epoch, finished, averaging_ ? current_ : impl_.params, adam_,
                         early_stopping_ ? &best_params_ : nullptr,
                         averaging_ ? &average_ : nullptr, rng_, order_);
  }

  // Leaves the model holding the weights to keep: the best epoch's, else the last (averaged).
  void finish(TrainResult& result) {
    if (averaging_) impl_.params.copy_(average_);
    if (!early_stopping_) return;
    if (result.best_epoch == 0) {  // validation never finite: keep the last weights
      result.best_epoch = static_cast<int64_t>(result.history.size());
      result.best_val_loss = result.history.back().val_loss;
    } else if (result.best_epoch != static_cast<int64_t>(result.history.size())) {
      impl_.params.copy_(best_params_);
    }
  }

 private:
  static int64_t checked_size(const TrainPairs& rows, const StepLoss& loss) {
    const int64_t n = rows.size();
    if (n == 0)
      throw Error(loss.softmax() && !loss.rating()
                      ? "two-tower training: no training pair reaches train.positive_min_rating"
                      : "two-tower training: no training pairs");
    if (n > std::numeric_limits<int32_t>::max())
      throw Error("two-tower training: expected at most 2^31-1 training pairs, found " +
                  std::to_string(n));
    return n;
  }
  static AdamOptions adam_options(const TrainOptions& opts) {
    AdamOptions a;
    a.lr = opts.lr;
    a.weight_decay = opts.weight_decay;
    return a;
  }
  // What early stopping minimises.
  double criterion(const EpochMetrics& e) const { return by_recall_ ? -e.val_recall : e.val_loss; }

  StepBatch batch_at(int64_t s, int64_t count, int64_t epoch, int64_t steps) {
    StepBatch b;
    b.user = users_.data() + s;
    b.item = items_.data() + s;
    b.target = targets_.data() + s;
    b.n = count;
    b.lo = ranks_.shard_begin(count);
    b.hi = ranks_.shard_end(count);
    if (extra_negatives_ > 0) {
      // Seeded by (seed, epoch, step): the same on every rank and after a resume.
      Rng neg(mix_seed(mix_seed(opts_.seed, 0x6e65'6761'7469'7665ULL),
                       static_cast<uint64_t>(epoch) << 32 | static_cast<uint64_t>(steps)));
      for (int32_t& row : negatives_)
        row = static_cast<int32_t>(neg.below(static_cast<uint64_t>(num_items_)));
      b.negatives = negatives_.data();
      b.m = extra_negatives_;
      b.neg_lo = ranks_.shard_begin(extra_negatives_);
      b.neg_hi = ranks_.shard_end(extra_negatives_);
    }
    return b;
  }

  const TwoTowerModel& model_;
  const TrainOptions& opts_;
  DistContext& ranks_;
  const TrainExtras& extras_;
  TwoTowerModel::Impl& impl_;
  const StepLoss loss_;
  const TrainPairs train_, val_;
  const int64_t n_;
  const int64_t num_items_;
  const int64_t extra_negatives_;
  TwoTowerStep step_, val_step_;
  StepInputs in_;
  std::vector<float> share_;
  FlatAdam adam_;
  const bool by_recall_, early_stopping_, averaging_;
  at::Tensor best_params_, average_, current_;
  double best_criterion_ = std::numeric_limits<double>::infinity();
  Rng rng_;
  std::vector<int32_t> order_;
  std::vector<int32_t> users_, items_;
  std::vector<float> targets_;
  std::vector<int32_t> negatives_;
  GatherFn gather_;
  std::string stage_;
};

}  // namespace

TrainResult train_two_tower(TwoTowerModel& model, const FeatureMatrix& user_x,
                            const FeatureMatrix& item_x, const TrainPairs& all_train,
                            const TrainPairs& all_val, const TrainOptions& opts,
                            const EpochFn& on_epoch, const ProgressFn& progress, DistContext* dist,
                            const TrainState* resume, const StateFn& on_state,
                            const TrainExtras& extras) {
  DistContext one_process;
  DistContext& ranks = dist ? *dist : one_process;
  check_training_inputs(model, user_x, item_x, all_train, all_val, opts, extras);
  c10::InferenceMode inference;  // no autograd anywhere: the backward pass is hand-written
  Training t(model, user_x, item_x, all_train, all_val, opts, ranks, extras);
  TrainResult result;
  result.best_val_loss = std::numeric_limits<double>::infinity();
  const int64_t first_epoch = resume ? t.resume_from(*resume, result) : 1;
  for (int64_t epoch = first_epoch; epoch <= opts.epochs; ++epoch) {
    const auto start = Clock::now();
    const double loss_sum = t.run_steps(epoch, progress);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    t.hold_average();
    EpochMetrics m = t.validate(epoch, loss_sum, seconds);
    const bool stop = t.keep_best(m, result);
    result.history.push_back(m);
    if (progress) progress(t.epoch_report(m));
    if (on_epoch) on_epoch(m, model);
    if (stop) result.stopped_early = true;
    if (on_state) {
      TrainState state = t.capture(result, epoch, stop || epoch == opts.epochs);
      on_state(state);
    }
    t.hold_current();
    if (stop) break;
  }
  t.finish(result);
  return result;
}

}  // namespace towerrec

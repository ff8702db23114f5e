#include "train/train_state_capture_impl.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace towerrec {
namespace {

std::vector<float> to_vector(const at::Tensor& t) {
  const float* p = t.data_ptr<float>();
  return std::vector<float>(p, p + t.numel());
}

void from_vector(const std::vector<float>& v, at::Tensor& t) {
  std::copy(v.begin(), v.end(), t.data_ptr<float>());
}

}  // namespace

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

}  // namespace towerrec

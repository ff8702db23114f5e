#include "cf/cf_adam_solver.h"

#include <algorithm>

#include <torch/optim/adam.h>

#include "cf/cf_model.h"
#include "cf/cf_objective_impl.h"
#include "cf/sparse_dot_impl.h"
#include "core/error.h"
#include "data/dataset.h"
#include "dist/dist_context.h"

namespace towerrec {
namespace {

torch::Tensor to_param(const std::vector<float>& v, std::vector<int64_t> shape) {
  return torch::from_blob(const_cast<float*>(v.data()), shape, torch::kFloat32)
      .clone()
      .requires_grad_(true);
}

void copy_out(const torch::Tensor& t, std::vector<float>& v) {
  const torch::Tensor c = t.detach().contiguous();
  std::copy(c.data_ptr<float>(), c.data_ptr<float>() + c.numel(), v.begin());
}

// This rank's contiguous shard of the ratings and their targets (filled only when distributed:
// one process uses all of them in place).
struct Shard {
  Ratings ratings;
  std::vector<float> target;
};

Shard shard_of(const Ratings& train, const std::vector<float>& y, const DistContext& ranks) {
  Shard s;
  if (!ranks.distributed()) return s;
  const int64_t n = static_cast<int64_t>(train.size());
  const int64_t r0 = ranks.shard_begin(n), r1 = ranks.shard_end(n);
  s.ratings.user.assign(train.user.begin() + r0, train.user.begin() + r1);
  s.ratings.item.assign(train.item.begin() + r0, train.item.begin() + r1);
  s.ratings.value.assign(train.value.begin() + r0, train.value.begin() + r1);
  s.target.assign(y.begin() + r0, y.begin() + r1);
  return s;
}

}  // namespace

struct CfAdamSolver::State {
  torch::Tensor W, X, b;  // [n_users, f], [n_items, f], [n_users]
  Shard shard;
  std::unique_ptr<SparsePairs> pairs;
  CfTargets targets;
  std::unique_ptr<CfPenalty> penalty;
  double penalty_weight = 0;
  std::unique_ptr<torch::optim::Adam> adam;
};

CfAdamSolver::CfAdamSolver(const CfProblem& problem, CfModel& model)
    : problem_(problem), model_(model), state_(std::make_unique<State>()) {
  const CfOptions& opts = problem.opts;
  const Ratings& train = problem.train;
  const int32_t n_users = model.num_users(), n_items = model.num_items();
  const int64_t f = opts.features;
  // The lab initialises W, X and b from N(0, 1) (init_std scales that). Users and items without
  // training ratings start at 0 and stay there (zero gradient, and Adam's step for a zero
  // gradient is 0), so an unrated user is predicted μ_i exactly.
  std::vector<float> W0 =
      cf_normal_init(static_cast<size_t>(n_users) * f, opts.init_std, problem.rng);
  std::vector<float> X0 =
      cf_normal_init(static_cast<size_t>(n_items) * f, opts.init_std, problem.rng);
  std::vector<float> b0 = cf_normal_init(static_cast<size_t>(n_users), opts.init_std, problem.rng);
  std::vector<char> user_rated(static_cast<size_t>(n_users), 0),
      item_rated(static_cast<size_t>(n_items), 0);
  for (size_t k = 0; k < train.size(); ++k) {
    user_rated[train.user[k]] = 1;
    item_rated[train.item[k]] = 1;
  }
  for (int32_t u = 0; u < n_users; ++u)
    if (!user_rated[u]) {
      std::fill(W0.begin() + u * f, W0.begin() + (u + 1) * f, 0.f);
      b0[u] = 0.f;
    }
  for (int32_t i = 0; i < n_items; ++i)
    if (!item_rated[i]) std::fill(X0.begin() + i * f, X0.begin() + (i + 1) * f, 0.f);
  State& s = *state_;
  s.W = to_param(W0, {n_users, f});
  s.X = to_param(X0, {n_items, f});
  s.b = to_param(b0, {n_users});
  const DistContext& ranks = problem.ranks;
  s.shard = shard_of(train, problem.target, ranks);
  const Ratings& mine = ranks.distributed() ? s.shard.ratings : train;
  const std::vector<float>& mine_y = ranks.distributed() ? s.shard.target : problem.target;
  s.pairs = std::make_unique<SparsePairs>(mine.user, mine.item, n_users, n_items);
  s.targets = make_cf_targets(mine, mine_y, model.item_offset(), opts.binary);
  // Rating counts of per_rating come from all the ratings, not the shard.
  s.penalty = std::make_unique<CfPenalty>(train, n_users, n_items,
                                          opts.regularization == CfRegularization::kPerRating);
  // The penalty's gradient is added once: by rank 0.
  s.penalty_weight = ranks.is_root() ? 0.5 * opts.lambda : 0.0;
  s.adam = std::make_unique<torch::optim::Adam>(std::vector<torch::Tensor>{s.W, s.X, s.b},
                                                torch::optim::AdamOptions(opts.lr));
}

CfAdamSolver::~CfAdamSolver() = default;

double CfAdamSolver::iterate() {
  State& s = *state_;
  DistContext& ranks = problem_.ranks;
  s.adam->zero_grad();
  const torch::Tensor loss =
      cf_data_loss(sparse_dot(s.W, s.X, s.b, *s.pairs), s.targets, problem_.opts.binary) +
      s.penalty_weight * (*s.penalty)(s.W, s.X);
  loss.backward();
  if (ranks.distributed()) {
    std::vector<DistContext::Gradient> grads;
    for (torch::Tensor* p : {&s.W, &s.X, &s.b}) {
      if (!p->grad().defined()) p->mutable_grad() = torch::zeros_like(*p);
      TOWERREC_CHECK(p->grad().is_contiguous());
      grads.push_back({p->mutable_grad().data_ptr<float>(), p->grad().numel()});
    }
    ranks.all_reduce_gradients(grads);
  }
  double J = loss.item<double>();
  ranks.all_reduce_sum(&J, 1);  // a no-op in one process
  s.adam->step();
  return J;
}

std::optional<double> CfAdamSolver::validation() {
  const State& s = *state_;
  torch::NoGradGuard no_grad;
  return cf_validation_metric(s.W.data_ptr<float>(), s.b.data_ptr<float>(), s.X.data_ptr<float>(),
                              model_.item_offset().data(), problem_.opts.features,
                              problem_.opts.binary, model_.rating_min(), model_.rating_max(),
                              *problem_.validation, problem_.val_target, problem_.ranks);
}

void CfAdamSolver::finish() {
  copy_out(state_->W, model_.user_weights());
  copy_out(state_->X, model_.item_features());
  copy_out(state_->b, model_.user_bias());
}

}  // namespace towerrec

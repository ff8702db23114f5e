#include "cf/cf_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <sstream>

#include <torch/types.h>

#include "cf/cf_objective_impl.h"
#include "cf/cf_solver.h"
#include "cf/sparse_dot_impl.h"
#include "config/validate.h"
#include "core/error.h"
#include "core/rng.h"
#include "data/dataset.h"
#include "dist/dist_context.h"

namespace towerrec {
namespace {

void check_ratings(const Ratings& r, int32_t n_users, int32_t n_items, const char* what) {
  if (r.user.size() != r.item.size() || r.user.size() != r.value.size())
    throw Error(std::string("train_cf: ") + what + ": user/item/value arrays differ in length");
  for (size_t k = 0; k < r.size(); ++k) {
    if (r.user[k] < 0 || r.user[k] >= n_users || r.item[k] < 0 || r.item[k] >= n_items)
      throw Error(std::string("train_cf: ") + what + ": rating " + std::to_string(k) +
                  ": expected user < " + std::to_string(n_users) + " and item < " +
                  std::to_string(n_items) + ", found user " + std::to_string(r.user[k]) +
                  ", item " + std::to_string(r.item[k]));
    if (!std::isfinite(r.value[k]))
      throw Error(std::string("train_cf: ") + what + ": rating " + std::to_string(k) +
                  ": expected a finite value");
  }
}

// Item offsets μ: mean training rating (binary: log-odds of the Laplace-smoothed like rate); the
// global value for an item without training ratings.
std::vector<float> item_offsets(const Ratings& r, const std::vector<float>& target, int32_t n_items,
                                bool binary) {
  std::vector<double> sum(static_cast<size_t>(n_items), 0.0);
  std::vector<int64_t> count(static_cast<size_t>(n_items), 0);
  double total = 0;
  for (size_t k = 0; k < r.size(); ++k) {
    sum[r.item[k]] += target[k];
    ++count[r.item[k]];
    total += target[k];
  }
  const double n = static_cast<double>(r.size());
  std::vector<float> mu(static_cast<size_t>(n_items));
  if (!binary) {
    const double global = n > 0 ? total / n : 0.0;
    for (int32_t i = 0; i < n_items; ++i)
      mu[i] = static_cast<float>(count[i] ? sum[i] / count[i] : global);
  } else {
    auto logit = [](double p) { return std::log(p / (1.0 - p)); };
    const double global = (total + 1.0) / (n + 2.0);
    for (int32_t i = 0; i < n_items; ++i)
      mu[i] = static_cast<float>(logit(count[i] ? (sum[i] + 1.0) / (count[i] + 2.0) : global));
  }
  return mu;
}

std::string loss_text(double loss, const CfHistory& h) {
  std::ostringstream s;
  s.precision(6);
  s << "loss " << loss;
  if (!h.validation.empty()) s << " val " << h.validation.back();
  return s.str();
}

// opts.ensemble runs with seeds seed, seed + 1, ... (each with ensemble 1), their columns side by
// side and W scaled by 1/runs: the average of their predictions as one model. μ is the same in
// every run without an item bias; with one it is averaged. History: the first run's curves, the
// total time.
CfModel train_ensemble(const Ratings& train, int32_t n_users, int32_t n_items,
                       const CfOptions& opts, const ProgressFn& progress, CfHistory* history,
                       const Ratings* validation, DistContext* dist) {
  CfModel model(n_users, n_items, opts);
  const int64_t runs = opts.ensemble;
  const int64_t width = model.features(), block = width / runs;
  const float scale = 1.f / static_cast<float>(runs);
  std::vector<double> mu_sum(static_cast<size_t>(n_items), 0.0);
  CfHistory first;
  double seconds = 0;
  for (int64_t k = 0; k < runs; ++k) {
    CfOptions one = opts;
    one.ensemble = 1;
    one.seed = opts.seed + static_cast<uint64_t>(k);
    CfHistory h;
    const CfModel m = train_cf(train, n_users, n_items, one, progress, &h, validation, dist);
    TOWERREC_CHECK(m.features() == block);
    seconds += h.seconds;
    if (k == 0) {
      first = std::move(h);
      model.set_rating_range(m.rating_min(), m.rating_max());
    }
    for (int32_t u = 0; u < n_users; ++u) {
      for (int64_t j = 0; j < block; ++j)
        model.user_weights()[u * width + k * block + j] = m.user_weights()[u * block + j] * scale;
      model.user_bias()[u] += m.user_bias()[u] * scale;
    }
    for (int32_t i = 0; i < n_items; ++i) {
      std::copy(m.item_features().begin() + i * block, m.item_features().begin() + (i + 1) * block,
                model.item_features().begin() + i * width + k * block);
      mu_sum[i] += m.item_offset()[i];
    }
  }
  for (int32_t i = 0; i < n_items; ++i)
    model.item_offset()[i] = static_cast<float>(mu_sum[i] / static_cast<double>(runs));
  first.seconds = seconds;
  if (history) *history = std::move(first);
  return model;
}

}  // namespace

std::vector<float> cf_labels(const std::vector<float>& values, double threshold) {
  const bool zero_one =
      std::all_of(values.begin(), values.end(), [](float v) { return v == 0.f || v == 1.f; });
  std::vector<float> y(values.size());
  for (size_t k = 0; k < values.size(); ++k)
    y[k] = zero_one ? values[k] : (values[k] >= threshold ? 1.f : 0.f);
  return y;
}

CfModel train_cf(const Ratings& train, int32_t n_users, int32_t n_items, const CfOptions& opts,
                 const ProgressFn& progress, CfHistory* history, const Ratings* validation,
                 DistContext* dist) {
  DistContext one_process;
  DistContext& ranks = dist ? *dist : one_process;
  if (ranks.distributed() && opts.solver != CfSolverKind::kAdam)
    throw UsageError("train_cf: cf.solver: distributed training (" + ranks.describe() +
                     ") supports \"adam\" only, found " + quote_found(enum_name(opts.solver)) +
                     "; run ALS in one process (without torchrun)");
  // The options' fields and cross-field rules, as the config loader checks them
  // (config/validate.h).
  throw_if_invalid(opts, "train_cf");
  if (n_users < 0 || n_items < 0) throw Error("train_cf: negative n_users or n_items");
  check_ratings(train, n_users, n_items, "train");
  if (validation) check_ratings(*validation, n_users, n_items, "validation");
  if (opts.ensemble > 1)
    return train_ensemble(train, n_users, n_items, opts, progress, history, validation, dist);

  const bool binary = opts.binary;
  const bool wals = opts.solver == CfSolverKind::kWals;
  CfHistory local;
  CfHistory& h = history ? *history : local;
  h = CfHistory{};

  // Targets: stars, or 0/1 labels. Under mean normalisation the regression target is y − μ_i; the
  // binary model keeps 0/1 targets and adds μ_i inside the sigmoid instead.
  std::vector<float> y = binary ? cf_labels(train.value, opts.binary_threshold) : train.value;
  CfModel model(n_users, n_items, opts);
  // WALS scores are preferences, not stars: never clipped, never offset by item means.
  if (!binary && !wals && train.size() > 0) {
    const auto [lo, hi] = std::minmax_element(train.value.begin(), train.value.end());
    model.set_rating_range(*lo, *hi);
  }
  std::vector<float>& mu = model.item_offset();
  if (opts.mean_normalize && !wals) mu = item_offsets(train, y, n_items, binary);
  if (!binary)
    for (size_t k = 0; k < y.size(); ++k) y[k] -= mu[train.item[k]];
  std::vector<float> val_target;
  if (validation)
    val_target = binary ? cf_labels(validation->value, opts.binary_threshold) : validation->value;

  Rng rng(opts.seed);
  const auto t0 = std::chrono::steady_clock::now();
  const CfProblem problem{train, y, validation, val_target, opts, ranks, rng};
  const std::unique_ptr<CfSolver> solver = make_cf_solver(problem, model);
  for (int64_t it = 0; it < opts.iterations; ++it) {
    h.loss.push_back(solver->iterate());
    if (validation)
      if (const std::optional<double> v = solver->validation()) h.validation.push_back(*v);
    if (progress)
      progress({std::string("cf ") + enum_name(opts.solver), static_cast<uint64_t>(it + 1),
                static_cast<uint64_t>(opts.iterations), "iterations", loss_text(h.loss.back(), h)});
  }
  solver->finish();
  h.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return model;
}

CfModel train_cf(const Ratings& train, int32_t n_users, int32_t n_items, const CfOptions& opts,
                 const ProgressFn& progress, std::vector<double>* loss_history) {
  CfHistory h;
  CfModel m = train_cf(train, n_users, n_items, opts, progress, &h, nullptr);
  if (loss_history) *loss_history = std::move(h.loss);
  return m;
}

double cf_cost(const CfModel& model, const Ratings& ratings) {
  const int64_t f = model.features();
  check_ratings(ratings, model.num_users(), model.num_items(), "cf_cost");
  const CfOptions& cf = model.options();
  torch::NoGradGuard no_grad;
  const torch::Tensor W = torch::from_blob(const_cast<float*>(model.user_weights().data()),
                                           {model.num_users(), f}, torch::kFloat32);
  const torch::Tensor X = torch::from_blob(const_cast<float*>(model.item_features().data()),
                                           {model.num_items(), f}, torch::kFloat32);
  const torch::Tensor b = torch::from_blob(const_cast<float*>(model.user_bias().data()),
                                           {model.num_users()}, torch::kFloat32);
  std::vector<float> y = cf.binary ? cf_labels(ratings.value, cf.binary_threshold) : ratings.value;
  const std::vector<float>& mu = model.item_offset();
  if (!cf.binary)
    for (size_t k = 0; k < y.size(); ++k) y[k] -= mu[ratings.item[k]];
  const SparsePairs pairs(ratings.user, ratings.item, model.num_users(), model.num_items());
  const torch::Tensor z = sparse_dot(W, X, b, pairs);
  double J =
      cf_data_loss(z.to(torch::kFloat64), make_cf_targets(ratings, y, mu, cf.binary), cf.binary)
          .item<double>();
  J += 0.5 * cf.lambda *
       CfPenalty(ratings, model.num_users(), model.num_items(),
                 cf.regularization == CfRegularization::kPerRating)(W.to(torch::kFloat64),
                                                                    X.to(torch::kFloat64))
           .item<double>();
  return J;
}

}  // namespace towerrec

#include "cf/cf_als_solver.h"

#include "cf/cf_model.h"
#include "cf/cf_objective_impl.h"
#include "cf/cf_trainer.h"
#include "cf/ridge_solve.h"

namespace towerrec {

CfAlsSolver::CfAlsSolver(const CfProblem& problem, CfModel& model)
    : problem_(problem),
      model_(model),
      zero_mu_(static_cast<size_t>(model.num_items()), 0.f),
      c_(static_cast<size_t>(model.num_items()), 0.f),
      mu0_(model.item_offset()) {
  std::vector<float>& X = model.item_features();
  X = cf_normal_init(X.size(), problem.opts.init_std, problem.rng);
}

double CfAlsSolver::iterate() {
  const CfOptions& opts = problem_.opts;
  const bool per_rating = opts.regularization == CfRegularization::kPerRating;
  const int64_t f = opts.features;
  float* W = model_.user_weights().data();
  float* b = model_.user_bias().data();
  float* X = model_.item_features().data();
  // The target is already normalised, so the solves see no offset but c.
  ridge_fit_users(problem_.train, problem_.target, model_.num_users(), X, c_.data(), f, opts.lambda,
                  per_rating, W, b, opts.bias_lambda);
  ridge_fit_items(problem_.train, problem_.target, model_.num_items(), W, b, zero_mu_.data(), f,
                  opts.lambda, per_rating, X, opts.item_bias ? c_.data() : nullptr,
                  opts.bias_lambda);
  std::vector<float>& mu = model_.item_offset();
  for (int32_t i = 0; i < model_.num_items(); ++i) mu[i] = mu0_[i] + c_[i];
  return cf_cost(model_, problem_.train);
}

std::optional<double> CfAlsSolver::validation() {
  return cf_validation_metric(
      model_.user_weights().data(), model_.user_bias().data(), model_.item_features().data(),
      model_.item_offset().data(), problem_.opts.features, false, model_.rating_min(),
      model_.rating_max(), *problem_.validation, problem_.val_target, problem_.ranks);
}

}  // namespace towerrec

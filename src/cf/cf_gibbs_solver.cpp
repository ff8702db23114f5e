#include "cf/cf_gibbs_solver.h"

#include <algorithm>
#include <cmath>

#include "cf/cf_model.h"
#include "data/dataset.h"

namespace towerrec {

CfGibbsSolver::CfGibbsSolver(const CfProblem& problem, CfModel& model)
    : problem_(problem),
      model_(model),
      sampler_(problem.train, problem.target, model.num_users(), model.num_items(), problem.opts),
      val_sum_(problem.validation ? problem.validation->size() : 0, 0.0) {}

double CfGibbsSolver::iterate() {
  sampler_.sweep();
  // The current sample's data term ½Σ(ŷ − y)²: the chain's fit, for the progress line.
  const Ratings& train = problem_.train;
  double J = 0;
  for (size_t r = 0; r < train.size(); ++r) {
    const double e = sampler_.predict_current(train.user[r], train.item[r]) - problem_.target[r];
    J += 0.5 * e * e;
  }
  return J;
}

std::optional<double> CfGibbsSolver::validation() {
  const Ratings& val = *problem_.validation;
  if (val.size() == 0) return std::nullopt;
  const std::vector<float>& mu = model_.item_offset();
  const int64_t kept = sampler_.samples_kept();
  double acc = 0;
  for (size_t r = 0; r < val.size(); ++r) {
    const int32_t u = val.user[r], i = val.item[r];
    const double z = sampler_.predict_current(u, i);
    double p = z;
    if (kept > 0) {
      val_sum_[r] += z;
      p = val_sum_[r] / static_cast<double>(kept);
    }
    p = std::clamp(p + mu[i], static_cast<double>(model_.rating_min()),
                   static_cast<double>(model_.rating_max()));
    acc += (p - problem_.val_target[r]) * (p - problem_.val_target[r]);
  }
  return std::sqrt(acc / static_cast<double>(val.size()));
}

void CfGibbsSolver::finish() {
  std::vector<float> c;
  sampler_.average(model_.user_weights(), model_.user_bias(), model_.item_features(), c);
  std::vector<float>& mu = model_.item_offset();
  for (int32_t i = 0; i < model_.num_items(); ++i) mu[i] += c[i];
}

}  // namespace towerrec

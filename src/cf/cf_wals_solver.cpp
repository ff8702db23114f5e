#include "cf/cf_wals_solver.h"

#include "cf/cf_model.h"

namespace towerrec {

CfWalsSolver::CfWalsSolver(const CfProblem& problem, CfModel& model)
    : problem_(problem),
      model_(model),
      solver_(problem.train, model.num_users(), model.num_items(), problem.opts, problem.rng) {}

double CfWalsSolver::iterate() {
  solver_.sweep();
  return solver_.loss();
}

std::optional<double> CfWalsSolver::validation() {
  return solver_.validation_rmse(*problem_.validation);
}

void CfWalsSolver::finish() {
  model_.user_weights() = solver_.user_factors();
  model_.item_features() = solver_.item_factors();
}

}  // namespace towerrec

#include "cf/cf_solver.h"

#include "cf/cf_adam_solver.h"
#include "cf/cf_als_solver.h"
#include "cf/cf_gibbs_solver.h"
#include "cf/cf_wals_solver.h"
#include "core/error.h"
#include "core/rng.h"

namespace towerrec {

std::unique_ptr<CfSolver> make_cf_solver(const CfProblem& problem, CfModel& model) {
  switch (problem.opts.solver) {
    case CfSolverKind::kAdam:
      return std::make_unique<CfAdamSolver>(problem, model);
    case CfSolverKind::kAls:
      return std::make_unique<CfAlsSolver>(problem, model);
    case CfSolverKind::kGibbs:
      return std::make_unique<CfGibbsSolver>(problem, model);
    case CfSolverKind::kWals:
      return std::make_unique<CfWalsSolver>(problem, model);
  }
  TOWERREC_CHECK(!"a CfSolverKind without a solver");
  return nullptr;
}

std::vector<float> cf_normal_init(size_t n, double std, Rng& rng) {
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(rng.normal() * std);
  return v;
}

}  // namespace towerrec

#include "cf/cf_solver.h"

#include <string>

#include "cf/cf_adam_solver.h"
#include "cf/cf_als_solver.h"
#include "cf/cf_gibbs_solver.h"
#include "cf/cf_wals_solver.h"
#include "core/error.h"
#include "core/rng.h"

namespace towerrec {

std::unique_ptr<CfSolver> make_cf_solver(const CfProblem& problem, CfModel& model) {
  const std::string& name = problem.opts.solver;
  if (name == "adam") return std::make_unique<CfAdamSolver>(problem, model);
  if (name == "als") return std::make_unique<CfAlsSolver>(problem, model);
  if (name == "gibbs") return std::make_unique<CfGibbsSolver>(problem, model);
  if (name == "wals") return std::make_unique<CfWalsSolver>(problem, model);
  throw Error("train_cf: cf.solver: expected one of: adam, als, gibbs, wals, found " +
              quote_found(name));
}

std::vector<float> cf_normal_init(size_t n, double std, Rng& rng) {
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(rng.normal() * std);
  return v;
}

}  // namespace towerrec

// Solver "wals": implicit weighted ALS over every user × item cell (cf/wals_solver.h), for top-N.
// No biases or item offsets. The history's loss is WALS's J, its validation the RMSE of held-out
// rated cells against their target.
#pragma once

#include <optional>

#include "cf/cf_solver.h"
#include "cf/wals_solver.h"

namespace towerrec {

class CfWalsSolver : public CfSolver {
 public:
  // Draws X from N(0, init_std²) (WalsSolver).
  CfWalsSolver(const CfProblem& problem, CfModel& model);

  double iterate() override;
  std::optional<double> validation() override;
  void finish() override;

 private:
  CfProblem problem_;
  CfModel& model_;
  WalsSolver solver_;
};

}  // namespace towerrec

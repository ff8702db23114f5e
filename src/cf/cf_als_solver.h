// Solver "als": alternating least squares, closed-form ridge solves per user, then per item, with
// Eigen (cf/ridge_solve.h); one sweep per iteration; squared error only. With cf.item_bias it also
// learns a per-item bias c_i, folded into the model's μ_i after every sweep.
#pragma once

#include <optional>
#include <vector>

#include "cf/cf_solver.h"

namespace towerrec {

class CfAlsSolver : public CfSolver {
 public:
  // Draws X from N(0, init_std²); W and b start at 0 and are solved first.
  CfAlsSolver(const CfProblem& problem, CfModel& model);

  double iterate() override;  // J of the model after the sweep (cf_cost)
  std::optional<double> validation() override;
  void finish() override {}  // every sweep writes the model

 private:
  CfProblem problem_;
  CfModel& model_;
  std::vector<float> zero_mu_;  // [n_items] zeros: y is already normalised
  std::vector<float> c_;        // [n_items] the learned item bias (the users' offset)
  std::vector<float> mu0_;      // [n_items] μ from normalisation alone
};

}  // namespace towerrec

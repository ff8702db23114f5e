// Solver "gibbs": Bayesian PMF by Gibbs sampling (cf/gibbs_sampler.h), the ALS solves sampled;
// the model is the average of the samples kept after cf.burn_in (every cf.thin-th); squared error
// only. The history's loss is the current sample's data term ½Σ(ŷ − y)², its validation the
// running average's RMSE.
#pragma once

#include <optional>
#include <vector>

#include "cf/cf_solver.h"
#include "cf/gibbs_sampler.h"

namespace towerrec {

class CfGibbsSolver : public CfSolver {
 public:
  CfGibbsSolver(const CfProblem& problem, CfModel& model);

  double iterate() override;
  // The running average's RMSE in stars; empty for an empty validation set.
  std::optional<double> validation() override;
  void finish() override;

 private:
  CfProblem problem_;
  CfModel& model_;
  GibbsSampler sampler_;
  // Running sums of the kept samples' validation predictions: the curve of the averaged model.
  std::vector<double> val_sum_;
};

}  // namespace towerrec

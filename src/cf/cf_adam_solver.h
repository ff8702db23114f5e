// Solver "adam": torch autograd and torch::optim::Adam on the full objective J, full batch, one
// step per iteration. The only solver for binary models and for distributed training: each rank
// takes its contiguous shard of the ratings, computes the data term's gradient on it (rank 0 adds
// the penalty's), and DistContext::all_reduce_gradients sums them, so every rank takes the same
// step. J and the validation metric are computed in shards and summed.
#pragma once

#include <memory>
#include <optional>

#include "cf/cf_solver.h"

namespace towerrec {

class CfAdamSolver : public CfSolver {
 public:
  // Draws W, X, b from N(0, init_std²) (users and items without training ratings start at 0).
  CfAdamSolver(const CfProblem& problem, CfModel& model);
  ~CfAdamSolver() override;
  CfAdamSolver(const CfAdamSolver&) = delete;
  CfAdamSolver& operator=(const CfAdamSolver&) = delete;

  double iterate() override;  // J at the step's start (summed over ranks)
  std::optional<double> validation() override;
  void finish() override;

 private:
  struct State;
  CfProblem problem_;
  CfModel& model_;
  std::unique_ptr<State> state_;
};

}  // namespace towerrec

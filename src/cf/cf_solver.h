// CfSolver: one algorithm that fits a CfModel's parameters on a sparse list of ratings, one
// iteration at a time, chosen by make_cf_solver from cf.solver. train_cf (cf/cf_trainer.h) checks
// the inputs and options, prepares the targets and μ, and drives the loop; a solver only fits.
// Solvers: "adam" (cf/cf_adam_solver.h), "als" (cf/cf_als_solver.h), "gibbs"
// (cf/cf_gibbs_solver.h) and "wals" (cf/cf_wals_solver.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "config/options.h"

namespace towerrec {

struct Ratings;
class CfModel;
class DistContext;
class Rng;

// What train_cf hands a solver. Everything is referenced, not copied, and must outlive the solver.
struct CfProblem {
  const Ratings& train;              // indices checked < the model's n_users / n_items
  const std::vector<float>& target;  // [train.size()]: stars − μ_i, or 0/1 labels when binary
  const Ratings* validation;         // null = no validation set
  const std::vector<float>& val_target;  // [validation->size()]: stars or 0/1 labels
  const CfOptions& opts;
  DistContext& ranks;  // a single process unless the solver supports distributed training
  Rng& rng;            // the run's generator (seeded by cf.seed); initial draws come from it
};

class CfSolver {
 public:
  virtual ~CfSolver() = default;
  // One iteration: an Adam step, or one sweep of ALS, WALS or Gibbs sampling. Returns the
  // objective the history records (cf/cf_trainer.h: J, WALS's J, or the Gibbs sample's data term).
  virtual double iterate() = 0;
  // The validation metric after the last iterate() (called only when the problem has a validation
  // set): RMSE in stars, mean log-loss when binary. Empty when the solver records none.
  virtual std::optional<double> validation() = 0;
  // Writes the fitted parameters (W, b, X, and a learned item bias folded into μ) into the model.
  virtual void finish() = 0;
};

// The solver named by problem.opts.solver, fitting `model` (sized, with μ and the rating range
// already set; it must outlive the solver). Its constructor draws the initial parameters.
std::unique_ptr<CfSolver> make_cf_solver(const CfProblem& problem, CfModel& model);

// `n` draws of N(0, std²) from `rng`: the initial parameters of the adam and als solvers.
std::vector<float> cf_normal_init(size_t n, double std, Rng& rng);

}  // namespace towerrec

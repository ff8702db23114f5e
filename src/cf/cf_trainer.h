// Training the collaborative-filtering model on a SPARSE list of ratings: only rated pairs are
// touched, so memory is O(ratings + parameters) (the gathered rows are processed in bounded chunks)
// and a 25M-rating set fits. Cost (the course lab's, summed over rated pairs only):
//   J = ½ Σ_(u,i) rated (w_u·x_i + b_u − ỹ_ui)² + λ/2 ΣW² + λ/2 ΣX²
// with ỹ = y − μ_i under mean normalisation. Binary variant (cf.binary): labels 1/0 (see
// cf_labels), prediction sigmoid(w·x + b + μ_i), data term Σ BCE-with-logits.
// Solvers (cf/cf_solver.h, one class each, picked by cf.solver): "adam" (torch autograd +
// torch::optim::Adam, full batch, one step per iteration), "als" (closed-form ridge solves per
// user, then per item, with Eigen; one sweep per iteration; squared error only), "gibbs" (Bayesian
// PMF, cf/gibbs_sampler.h: the same solves sampled; the model averages the samples after
// cf.burn_in; squared error only) and "wals" (implicit weighted ALS over every user × item cell,
// cf/wals_solver.h: for top-N; no biases or item offsets, so cf.mean_normalize is ignored; its
// history's loss is WALS's J and its validation the RMSE of held-out rated cells against their
// target). cf.item_bias (als, gibbs) learns a per-item bias c_i, folded into the returned model's
// μ_i. cf.ensemble > 1 trains that many runs with seeds seed, seed + 1, ... and returns the average
// of their predictions as one model (cf_stored_features columns).
#pragma once

#include <cstdint>
#include <vector>

#include "cf/cf_model.h"
#include "config/options.h"
#include "core/progress.h"

namespace towerrec {

struct Ratings;
class DistContext;

// Per-iteration record, for learning curves.
struct CfHistory {
  std::vector<double> loss;        // J after each iteration (Adam: at the step's start)
  std::vector<double> validation;  // validation RMSE in stars (binary: mean log-loss), if given
  double seconds = 0;              // wall time of the iterations
};

// Trains on `train` (user/item indices < n_users / n_items). Throws Error on out-of-range indices,
// non-finite values or an unsupported combination (binary with a solver other than "adam",
// item_bias with "adam" or "wals", gibbs with burn_in >= iterations or thin out of range). History
// with gibbs: loss is the current sample's data term ½Σ(ŷ − y)², validation the running average's
// RMSE; with ensemble > 1, the first run's curves. `validation`
// (optional) is scored after every iteration into history->validation. The loss_history overload is
// the short form used by callers that need only J.
// With a distributed `dist` (dist/dist_context.h; null = one process; solver "adam" only, else
// UsageError) every rank passes the same ratings and options: each takes its contiguous shard of
// the training ratings, computes the data term's gradient on it (rank 0 adds the penalty's), and
// the summed gradients (DistContext::all_reduce_gradients) drive the same Adam step
// everywhere. J and the validation metric are computed in shards and summed. Every rank returns the
// same model, equal to the one-process model up to float rounding.
CfModel train_cf(const Ratings& train, int32_t n_users, int32_t n_items, const CfOptions& opts,
                 const ProgressFn& progress, CfHistory* history,
                 const Ratings* validation = nullptr, DistContext* dist = nullptr);
CfModel train_cf(const Ratings& train, int32_t n_users, int32_t n_items, const CfOptions& opts,
                 const ProgressFn& progress = {}, std::vector<double>* loss_history = nullptr);

// The binary labels of `values`: the values themselves when every one is 0 or 1, else
// value >= threshold ? 1 : 0.
std::vector<float> cf_labels(const std::vector<float>& values, double threshold);

// The training objective J (see above) of `model` on `ratings` with its options' λ; values in stars
// (or labels/ratings for binary models, passed through cf_labels). Sparse evaluation with torch.
double cf_cost(const CfModel& model, const Ratings& ratings);

}  // namespace towerrec

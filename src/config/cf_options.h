// cf.*: the collaborative-filtering model (model.kind: cf; see config/options.h for how options
// structs work).
#pragma once

#include <cstdint>

#include "config/field.h"
#include "config/option_enum.h"

namespace towerrec {

// cf.solver (CfOptions::solver documents each; cf/cf_solver.h builds one per name).
enum class CfSolverKind { kAdam, kAls, kGibbs, kWals };
template <>
struct EnumNames<CfSolverKind> {
  static constexpr const char* kNames[] = {"adam", "als", "gibbs", "wals"};
};

// cf.regularization: the lab's plain L2 penalty, or per_rating (ALS-WR: times the rating count).
enum class CfRegularization { kPlain, kPerRating };
template <>
struct EnumNames<CfRegularization> {
  static constexpr const char* kNames[] = {"plain", "per_rating"};
};

// cf.wals_target: what a rated cell is fitted to by solver wals, 1 or its rating.
enum class WalsTarget { kBinary, kRating };
template <>
struct EnumNames<WalsTarget> {
  static constexpr const char* kNames[] = {"binary", "rating"};
};

// cf.item_features: X learned with W and b, or the items' content features (ridge per user).
enum class CfItemFeatures { kLearned, kContent };
template <>
struct EnumNames<CfItemFeatures> {
  static constexpr const char* kNames[] = {"learned", "content"};
};

struct CfOptions {
  int64_t features = 100;
  double lambda = 1.0;
  double lr = 0.1;
  int64_t iterations = 200;
  bool mean_normalize = true;
  // adam (autograd), als (closed-form alternating solves), gibbs (BPMF: the same solves, sampled;
  // cf/gibbs_sampler.h) or wals (implicit ALS over every cell; cf/wals_solver.h)
  CfSolverKind solver = CfSolverKind::kAdam;
  CfRegularization regularization = CfRegularization::kPlain;  // plain (the lab) or per_rating
  bool binary = false;  // like/click variant: sigmoid + binary cross-entropy
  double binary_threshold = 4.0;
  double init_std = 1.0;  // the lab draws W, X, b from N(0, 1)
  uint64_t seed = 1234;
  bool item_bias = false;      // learn a per-item bias c_i on top of μ_i (als, gibbs)
  double bias_lambda = 0;      // L2 penalty (gibbs: prior precision) of b_u and c_i; 0 = none
  int64_t burn_in = 50;        // gibbs: sweeps discarded before averaging (< iterations)
  double noise_precision = 2;  // gibbs: α, the precision of the rating noise (1/stars²)
  int64_t thin = 1;            // gibbs: keep every thin-th sweep after burn_in
  int64_t ensemble = 1;        // runs with seeds seed, seed+1, ... whose predictions are averaged
  // wals (implicit weighted ALS over every cell, cf/wals_solver.h): rated cells weigh
  // 1 + alpha × rating, unrated cells unobserved_weight and target 0.
  double alpha = 1.0;
  double unobserved_weight = 0.1;
  WalsTarget wals_target = WalsTarget::kBinary;  // what a rated cell is fitted to: 1, or its rating
  // learned (W, b and X fitted) or content (X = item tower columns; cf/content_regression.h)
  CfItemFeatures item_features = CfItemFeatures::kLearned;

  template <class V>
  void visit(V& v) {
    v.field("features", features, "latent features per user and item", Check::ge(1));
    v.field("lambda", lambda, "L2 regularisation", Check::ge(0));
    v.field("lr", lr, "Adam learning rate", Check::gt(0));
    v.field("iterations", iterations, "full-batch iterations (ALS: sweeps)", Check::ge(1));
    v.field("mean_normalize", mean_normalize, "subtract each item's mean rating");
    v.field("solver", solver,
            "optimiser: adam, als (alternating ridge solves), gibbs (Bayesian PMF: sampled solves, "
            "predictions averaged over the samples after cf.burn_in), wals (implicit weighted ALS "
            "over every user x item cell, for top-N: unrated cells are zeros of weight "
            "cf.unobserved_weight)");
    v.field("regularization", regularization,
            "plain: lambda/2 (sum W^2 + sum X^2) as in the lab; per_rating: each user's and item's "
            "penalty times its number of training ratings (ALS-WR)");
    v.field("binary", binary, "binary like/click variant (sigmoid, cross-entropy)");
    v.field("binary_threshold", binary_threshold,
            "rating >= threshold counts as a like (ratings that are all 0/1 are labels already)");
    v.field("init_std", init_std, "std of the normal initialisation of W, X, b", Check::gt(0));
    v.field("seed", seed, "initialisation seed", Check::ge(0));
    v.field("item_bias", item_bias,
            "learn a per-item bias on top of the item offset (solvers als and gibbs)");
    v.field("bias_lambda", bias_lambda,
            "L2 penalty of the user and item biases (gibbs: their prior precision); 0 = none",
            Check::ge(0));
    v.field("burn_in", burn_in,
            "gibbs: sweeps discarded before the samples are averaged (less than cf.iterations)",
            Check::ge(0));
    v.field("noise_precision", noise_precision,
            "gibbs: precision of the rating noise, 1 / (its std in stars)^2", Check::gt(0));
    v.field("thin", thin,
            "gibbs: keep every thin-th sweep after cf.burn_in (the model stores features x kept "
            "samples columns; consecutive samples are alike)",
            Check::ge(1));
    v.field("ensemble", ensemble,
            "independent runs (seeds seed, seed+1, ...) whose predictions are averaged",
            Check::range(1, 1000));
    v.field(
        "alpha", alpha,
        "wals: a rated cell's confidence is 1 + alpha x rating (its weight in the squared error)",
        Check::ge(0));
    v.field("unobserved_weight", unobserved_weight, "wals: weight of every unrated cell (target 0)",
            Check::gt(0));
    v.field("wals_target", wals_target, "wals: a rated cell's target: binary (1) or rating");
    v.field("item_features", item_features,
            "learned: X is fitted with W and b; content: X is the items' content features (the "
            "item tower's columns, scaled) and only each user's w, b are fitted by ridge "
            "regression (the course's per-user linear regression; cf.features and cf.solver are "
            "then unused)");
  }
};

}  // namespace towerrec

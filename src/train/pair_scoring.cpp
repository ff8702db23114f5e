#include "train/pair_scoring_impl.h"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include <c10/core/InferenceMode.h>

#include "core/error.h"
#include "model/two_tower_impl.h"

namespace towerrec {
namespace {

void check_matrix(const FeatureMatrix& x, int64_t want_cols, const char* what) {
  if (x.cols() != want_cols)
    throw Error(std::string("two-tower training: ") + what + " features: expected " +
                std::to_string(want_cols) + " columns (the model's input width), found " +
                std::to_string(x.cols()));
  if (static_cast<int64_t>(x.data.size()) != x.rows * x.cols())
    throw Error(std::string("two-tower training: ") + what + " features: expected " +
                std::to_string(x.rows * x.cols()) + " values (rows x columns), found " +
                std::to_string(x.data.size()));
}

}  // namespace

void check_pairs(const TrainPairs& p, const char* what, const FeatureMatrix& ux,
                 const FeatureMatrix& ix) {
  if (p.user.size() != p.target.size() || p.item.size() != p.target.size())
    throw Error(std::string("two-tower training: ") + what + " pairs: expected equal user, item " +
                "and target counts, found " + std::to_string(p.user.size()) + ", " +
                std::to_string(p.item.size()) + ", " + std::to_string(p.target.size()));
  for (size_t k = 0; k < p.user.size(); ++k) {
    if (p.user[k] < 0 || p.user[k] >= ux.rows)
      throw Error(std::string("two-tower training: ") + what + " pair " + std::to_string(k) +
                  ": user row " + std::to_string(p.user[k]) + " is outside the user features (" +
                  std::to_string(ux.rows) + " rows)");
    if (p.item[k] < 0 || p.item[k] >= ix.rows)
      throw Error(std::string("two-tower training: ") + what + " pair " + std::to_string(k) +
                  ": item row " + std::to_string(p.item[k]) + " is outside the item features (" +
                  std::to_string(ix.rows) + " rows)");
  }
}

void check_inputs(const TwoTowerModel& model, const FeatureMatrix& ux, const FeatureMatrix& ix) {
  check_matrix(ux, model.user_in(), "user");
  check_matrix(ix, model.item_in(), "item");
}

double score(const StepInputs& in, const int32_t* user, const int32_t* item, const float* target,
             int64_t n, TwoTowerStep& step, float* pred) {
  double sse = 0;
  for (int64_t start = 0; start < n; start += step.capacity()) {
    const int64_t count = std::min(step.capacity(), n - start);
    StepBatch b;
    b.user = user + start;
    b.item = item + start;
    b.target = target ? target + start : nullptr;
    b.n = count;
    b.hi = count;
    sse += step.run(in, b, StepLoss{}, /*backward=*/false).sse;
    if (pred) std::copy(step.predictions().begin(), step.predictions().end(), pred + start);
  }
  return sse;
}

std::vector<float> predict_two_tower(const TwoTowerModel& model, const FeatureMatrix& user_x,
                                     const FeatureMatrix& item_x, const std::vector<int32_t>& user,
                                     const std::vector<int32_t>& item, const SparseRows* user_bag,
                                     const SparseRows* item_bag) {
  check_inputs(model, user_x, item_x);
  TrainPairs pairs{user, item, std::vector<float>(user.size())};
  check_pairs(pairs, "prediction", user_x, item_x);
  const int64_t n = pairs.size();
  std::vector<float> pred(static_cast<size_t>(n));
  if (n == 0) return pred;
  c10::InferenceMode inference;
  TwoTowerStep step(model.impl(), std::min(kEvalBatch, n), /*for_training=*/false);
  StepInputs in;
  in.user_x = &user_x;
  in.item_x = &item_x;
  in.user_bag = user_bag;
  in.item_bag = item_bag;
  score(in, user.data(), item.data(), nullptr, n, step, pred.data());
  return pred;
}

double evaluate_two_tower(const TwoTowerModel& model, const FeatureMatrix& user_x,
                          const FeatureMatrix& item_x, const TrainPairs& pairs) {
  check_inputs(model, user_x, item_x);
  check_pairs(pairs, "evaluation", user_x, item_x);
  const int64_t n = pairs.size();
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  c10::InferenceMode inference;
  TwoTowerStep step(model.impl(), std::min(kEvalBatch, n), /*for_training=*/false);
  StepInputs in;
  in.user_x = &user_x;
  in.item_x = &item_x;
  return score(in, pairs.user.data(), pairs.item.data(), pairs.target.data(), n, step, nullptr) /
         static_cast<double>(n);
}

}  // namespace towerrec

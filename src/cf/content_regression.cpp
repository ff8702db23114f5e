#include "cf/content_regression.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "cf/cf_trainer.h"
#include "cf/ridge_solve.h"
#include "core/error.h"
#include "data/dataset.h"

namespace towerrec {
namespace {

void check_content_ratings(const Ratings& r, int32_t n_users, int32_t n_items, const char* what) {
  for (size_t k = 0; k < r.size(); ++k) {
    if (r.user[k] < 0 || r.user[k] >= n_users || r.item[k] < 0 || r.item[k] >= n_items)
      throw Error(std::string("content regression: ") + what + ": rating " + std::to_string(k) +
                  ": expected user < " + std::to_string(n_users) + " and item < " +
                  std::to_string(n_items) + ", found user " + std::to_string(r.user[k]) +
                  ", item " + std::to_string(r.item[k]));
    if (!std::isfinite(r.value[k]))
      throw Error(std::string("content regression: ") + what + ": rating " + std::to_string(k) +
                  ": expected a finite value");
  }
}

}  // namespace

CfModel train_content_regression(const Ratings& train, int32_t n_users, int32_t n_items,
                                 const float* X, int64_t f, const CfOptions& opts,
                                 CfHistory* history, const Ratings* validation) {
  if (opts.binary)
    throw Error(
        "content regression: cf.binary: expected false (content regression fits stars), found "
        "true");
  if (f < 1) throw Error("content regression: the items have no content features");
  check_content_ratings(train, n_users, n_items, "train");
  if (validation) check_content_ratings(*validation, n_users, n_items, "validation");
  for (int64_t k = 0; k < static_cast<int64_t>(n_items) * f; ++k)
    if (!std::isfinite(X[k]))
      throw Error("content regression: item " + std::to_string(k / f) +
                  ": expected finite content features");
  const auto t0 = std::chrono::steady_clock::now();
  CfModel model(n_users, n_items, opts, static_cast<int32_t>(f));
  std::copy(X, X + static_cast<int64_t>(n_items) * f, model.item_features().begin());
  if (train.size() > 0) {
    const auto [lo, hi] = std::minmax_element(train.value.begin(), train.value.end());
    model.set_rating_range(*lo, *hi);
  }
  // μ_i: the item's mean training rating, the global mean for an item nobody rated.
  std::vector<float>& mu = model.item_offset();
  if (opts.mean_normalize && train.size() > 0) {
    std::vector<double> sum(static_cast<size_t>(n_items), 0.0);
    std::vector<int64_t> count(static_cast<size_t>(n_items), 0);
    double total = 0;
    for (size_t k = 0; k < train.size(); ++k) {
      sum[train.item[k]] += train.value[k];
      ++count[train.item[k]];
      total += train.value[k];
    }
    const double global = total / static_cast<double>(train.size());
    for (int32_t i = 0; i < n_items; ++i)
      mu[i] = static_cast<float>(count[i] ? sum[i] / static_cast<double>(count[i]) : global);
  }
  // The targets stay in stars: the solve subtracts μ as its offset, exactly as fold_in_user does,
  // so a new user with a trained user's ratings gets that user's w, b.
  ridge_fit_users(train, train.value, n_users, model.item_features().data(), mu.data(), f,
                  opts.lambda, opts.regularization == CfRegularization::kPerRating,
                  model.user_weights().data(), model.user_bias().data(), opts.bias_lambda);
  if (history) {
    *history = CfHistory{};
    double J = 0;
    for (size_t k = 0; k < train.size(); ++k) {
      const double e = model.predict(train.user[k], train.item[k]) - train.value[k];
      J += 0.5 * e * e;
    }
    std::vector<int64_t> n_u(static_cast<size_t>(n_users), 0);
    for (int32_t u : train.user) ++n_u[u];
    for (int32_t u = 0; u < n_users; ++u) {
      double w2 = 0;
      for (int64_t k = 0; k < f; ++k) w2 += std::pow(model.user_weights()[u * f + k], 2);
      const double lambda = opts.regularization == CfRegularization::kPerRating
                                ? opts.lambda * static_cast<double>(n_u[u])
                                : opts.lambda;
      J += 0.5 * lambda * w2;
    }
    history->loss.push_back(J);
    if (validation && validation->size() > 0) {
      double se = 0;
      for (size_t k = 0; k < validation->size(); ++k) {
        const double e =
            model.predict(validation->user[k], validation->item[k]) - validation->value[k];
        se += e * e;
      }
      history->validation.push_back(std::sqrt(se / static_cast<double>(validation->size())));
    }
    history->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  return model;
}

}  // namespace towerrec

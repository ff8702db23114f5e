#include "cf/ridge_solve.h"

#include <algorithm>
#include <cmath>

#include <ATen/Parallel.h>
#include <Eigen/Dense>

#include "core/error.h"
#include "data/dataset.h"

namespace towerrec {
namespace {

using MatD = Eigen::MatrixXd;
using VecD = Eigen::VectorXd;

// Solves A θ = rhs for a symmetric positive semi-definite A: Cholesky when it is positive definite
// (every λ > 0 case), else the minimum-norm least-squares solution (λ = 0 with too few ratings).
VecD solve_spd(const MatD& A, const VecD& rhs) {
  Eigen::LLT<MatD> llt(A);
  if (llt.info() == Eigen::Success) return llt.solve(rhs);
  return A.completeOrthogonalDecomposition().solve(rhs);
}

// Design matrix of one user: rows x_item and a trailing 1 for the bias.
MatD user_design(const float* X, int64_t f, const int32_t* items, int64_t n) {
  MatD D(n, f + 1);
  for (int64_t r = 0; r < n; ++r) {
    const float* x = X + static_cast<int64_t>(items[r]) * f;
    for (int64_t k = 0; k < f; ++k) D(r, k) = x[k];
    D(r, f) = 1.0;
  }
  return D;
}

// Grain for at::parallel_for: a solve costs O(f^3), so small batches already pay for a thread hop.
constexpr int64_t kGrain = 16;

}  // namespace

void ridge_fit_user(const float* X, int64_t f, const float* offset, const int32_t* items,
                    const float* y, int64_t n, double lambda, float* w, float* b,
                    double bias_lambda) {
  if (n == 0) {
    std::fill(w, w + f, 0.f);
    *b = 0.f;
    return;
  }
  const MatD D = user_design(X, f, items, n);
  VecD t(n);
  for (int64_t r = 0; r < n; ++r) t(r) = y[r] - (offset ? offset[items[r]] : 0.f);
  MatD A = D.transpose() * D;
  A.diagonal().head(f).array() += lambda;
  A(f, f) += bias_lambda;
  const VecD theta = solve_spd(A, D.transpose() * t);
  for (int64_t k = 0; k < f; ++k) w[k] = static_cast<float>(theta(k));
  *b = static_cast<float>(theta(f));
}

void logistic_fit_user(const float* X, int64_t f, const float* offset, const int32_t* items,
                       const float* y, int64_t n, double lambda, float* w, float* b) {
  std::fill(w, w + f, 0.f);
  *b = 0.f;
  if (n == 0) return;
  const MatD D = user_design(X, f, items, n);
  VecD off(n);
  for (int64_t r = 0; r < n; ++r) off(r) = offset ? offset[items[r]] : 0.0;
  // A small penalty on the bias (and a floor on λ) keeps labels that are all 1 (or separable)
  // finite.
  VecD penalty = VecD::Constant(f + 1, std::max(lambda, 1e-6));
  penalty(f) = 1e-3;
  VecD theta = VecD::Zero(f + 1);
  for (int iter = 0; iter < 50; ++iter) {
    const VecD z = D * theta + off;
    VecD p(n), s(n);
    for (int64_t r = 0; r < n; ++r) {
      p(r) = 1.0 / (1.0 + std::exp(-z(r)));
      s(r) = p(r) * (1.0 - p(r));
    }
    VecD g = D.transpose() * (p - Eigen::Map<const Eigen::VectorXf>(y, n).cast<double>());
    g += penalty.cwiseProduct(theta);
    MatD H = D.transpose() * s.asDiagonal() * D;
    H.diagonal() += penalty;
    const VecD step = solve_spd(H, g);
    theta -= step;
    if (step.norm() < 1e-9 * (1.0 + theta.norm())) break;
  }
  for (int64_t k = 0; k < f; ++k) w[k] = static_cast<float>(theta(k));
  *b = static_cast<float>(theta(f));
}

RatingGroups group_ratings(const std::vector<int32_t>& key, int32_t groups) {
  RatingGroups g;
  g.start.assign(static_cast<size_t>(groups) + 1, 0);
  for (int32_t k : key) {
    TOWERREC_CHECK(k >= 0 && k < groups);
    ++g.start[static_cast<size_t>(k) + 1];
  }
  for (int32_t k = 0; k < groups; ++k) g.start[k + 1] += g.start[k];
  g.order.resize(key.size());
  std::vector<int64_t> next(g.start.begin(), g.start.end() - 1);
  for (size_t r = 0; r < key.size(); ++r) g.order[next[key[r]]++] = static_cast<int32_t>(r);
  return g;
}

void ridge_fit_users(const Ratings& train, const std::vector<float>& y, int32_t n_users,
                     const float* X, const float* offset, int64_t f, double lambda, bool per_rating,
                     float* W, float* b, double bias_lambda) {
  TOWERREC_CHECK(y.size() == train.size());
  const RatingGroups g = group_ratings(train.user, n_users);
  at::parallel_for(0, n_users, kGrain, [&](int64_t begin, int64_t end) {
    std::vector<int32_t> items;
    std::vector<float> t;
    for (int64_t u = begin; u < end; ++u) {
      items.clear();
      t.clear();
      for (int64_t k = g.start[u]; k < g.start[u + 1]; ++k) {
        items.push_back(train.item[g.order[k]]);
        t.push_back(y[g.order[k]]);
      }
      const int64_t n = static_cast<int64_t>(items.size());
      ridge_fit_user(X, f, offset, items.data(), t.data(), n,
                     per_rating ? lambda * static_cast<double>(n) : lambda, W + u * f, b + u,
                     bias_lambda);
    }
  });
}

void ridge_fit_items(const Ratings& train, const std::vector<float>& y, int32_t n_items,
                     const float* W, const float* b, const float* offset, int64_t f, double lambda,
                     bool per_rating, float* X, float* c, double bias_lambda) {
  TOWERREC_CHECK(y.size() == train.size());
  const RatingGroups g = group_ratings(train.item, n_items);
  const int64_t m = f + (c ? 1 : 0);  // unknowns: x, and c with an item bias
  at::parallel_for(0, n_items, kGrain, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const int64_t n = g.start[i + 1] - g.start[i];
      float* x = X + i * f;
      if (n == 0) {
        std::fill(x, x + f, 0.f);
        if (c) c[i] = 0.f;
        continue;
      }
      MatD D(n, m);
      VecD t(n);
      const double off = offset ? offset[i] : 0.0;
      for (int64_t r = 0; r < n; ++r) {
        const int32_t row = g.order[g.start[i] + r];
        const int32_t u = train.user[row];
        for (int64_t k = 0; k < f; ++k) D(r, k) = W[static_cast<int64_t>(u) * f + k];
        if (c) D(r, f) = 1.0;
        t(r) = y[row] - b[u] - off;
      }
      MatD A = D.transpose() * D;
      A.diagonal().head(f).array() += per_rating ? lambda * static_cast<double>(n) : lambda;
      if (c) A(f, f) += bias_lambda;
      const VecD sol = solve_spd(A, D.transpose() * t);
      for (int64_t k = 0; k < f; ++k) x[k] = static_cast<float>(sol(k));
      if (c) c[i] = static_cast<float>(sol(f));
    }
  });
}

}  // namespace towerrec

#include "cf/wals_solver.h"

#include <cmath>

#include <ATen/Parallel.h>
#include <Eigen/Dense>

#include "cf/ridge_solve.h"
#include "core/error.h"
#include "core/rng.h"
#include "data/dataset.h"

namespace towerrec {
namespace {

using MatD = Eigen::MatrixXd;
using VecD = Eigen::VectorXd;
using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// A row costs O(n f² + f³): small batches already pay for a thread hop.
constexpr int64_t kWalsGrain = 16;

// FᵀF of a row-major [rows, f] float matrix, in double.
MatD gramian(const std::vector<float>& F, int64_t rows, int64_t f) {
  const Eigen::Map<const RowMajorF> M(F.data(), rows, f);
  const MatD D = M.cast<double>();
  return D.transpose() * D;
}

}  // namespace

WalsSolver::WalsSolver(const Ratings& train, int32_t n_users, int32_t n_items,
                       const CfOptions& opts, Rng& rng)
    : f_(opts.features),
      n_users_(n_users),
      n_items_(n_items),
      lambda_(opts.lambda),
      w0_(opts.unobserved_weight),
      per_rating_(opts.regularization == CfRegularization::kPerRating),
      alpha_(opts.alpha),
      rating_target_(opts.wals_target == WalsTarget::kRating) {
  TOWERREC_CHECK(w0_ > 0 && alpha_ >= 0);
  // The same cells grouped both ways, confidence and target stored beside each.
  auto group = [&](const std::vector<int32_t>& key, const std::vector<int32_t>& other,
                   int32_t groups, std::vector<int64_t>& start, std::vector<int32_t>& idx,
                   std::vector<float>& conf, std::vector<float>& target) {
    const RatingGroups g = group_ratings(key, groups);
    start = g.start;
    idx.resize(g.order.size());
    conf.resize(g.order.size());
    target.resize(g.order.size());
    for (size_t k = 0; k < g.order.size(); ++k) {
      const float r = train.value[g.order[k]];
      idx[k] = other[g.order[k]];
      conf[k] = static_cast<float>(1.0 + alpha_ * r);
      target[k] = rating_target_ ? r : 1.f;
    }
  };
  group(train.user, train.item, n_users, u_start_, u_item_, u_conf_, u_target_);
  group(train.item, train.user, n_items, i_start_, i_user_, i_conf_, i_target_);
  W_.assign(static_cast<size_t>(n_users) * f_, 0.f);
  X_.resize(static_cast<size_t>(n_items) * f_);
  for (float& x : X_) x = static_cast<float>(rng.normal() * opts.init_std);
}

void WalsSolver::solve_side(const std::vector<int64_t>& start, const std::vector<int32_t>& other,
                            const std::vector<float>& conf, const std::vector<float>& target,
                            const std::vector<float>& fixed, int32_t n_fixed,
                            std::vector<float>& out, int32_t n_out) const {
  const int64_t f = f_;
  const MatD G = w0_ * gramian(fixed, n_fixed, f);
  at::parallel_for(0, n_out, kWalsGrain, [&](int64_t begin, int64_t end) {
    MatD A(f, f);
    VecD rhs(f);
    for (int64_t r = begin; r < end; ++r) {
      const int64_t n = start[r + 1] - start[r];
      A = G;
      rhs.setZero();
      for (int64_t k = start[r]; k < start[r + 1]; ++k) {
        const Eigen::Map<const Eigen::VectorXf> x(fixed.data() + other[k] * f, f);
        const VecD xd = x.cast<double>();
        // Rated cells replace their share w0 x xᵀ of the Gramian with c x xᵀ.
        A.selfadjointView<Eigen::Lower>().rankUpdate(xd, conf[k] - w0_);
        rhs += (static_cast<double>(conf[k]) * target[k]) * xd;
      }
      A.diagonal().array() += per_rating_ ? lambda_ * static_cast<double>(n) : lambda_;
      float* out_row = out.data() + r * f;
      if (n == 0) {
        // Nothing rated: every cell is a 0 target, so the minimiser is 0.
        std::fill(out_row, out_row + f, 0.f);
        continue;
      }
      Eigen::LLT<MatD> llt(A.selfadjointView<Eigen::Lower>());
      // λ = 0 with a rank-deficient Gramian: fall back to the minimum-norm solution.
      const VecD sol = llt.info() == Eigen::Success ? VecD(llt.solve(rhs))
                                                    : VecD(MatD(A.selfadjointView<Eigen::Lower>())
                                                               .completeOrthogonalDecomposition()
                                                               .solve(rhs));
      for (int64_t j = 0; j < f; ++j) out_row[j] = static_cast<float>(sol(j));
    }
  });
}

void WalsSolver::sweep() {
  solve_side(u_start_, u_item_, u_conf_, u_target_, X_, n_items_, W_, n_users_);
  solve_side(i_start_, i_user_, i_conf_, i_target_, W_, n_users_, X_, n_items_);
}

double WalsSolver::loss() const {
  const int64_t f = f_;
  // ½ w0 Σ_all (w·x)² = ½ w0 tr(WᵀW XᵀX); rated cells then swap their w0 ŷ² for c (ŷ − p)².
  const MatD GW = gramian(W_, n_users_, f), GX = gramian(X_, n_items_, f);
  double J = 0.5 * w0_ * (GW.cwiseProduct(GX)).sum();
  for (int32_t u = 0; u < n_users_; ++u) {
    const float* w = W_.data() + static_cast<int64_t>(u) * f;
    for (int64_t k = u_start_[u]; k < u_start_[u + 1]; ++k) {
      const float* x = X_.data() + static_cast<int64_t>(u_item_[k]) * f;
      double z = 0;
      for (int64_t j = 0; j < f; ++j) z += static_cast<double>(w[j]) * x[j];
      J += 0.5 * (u_conf_[k] * (z - u_target_[k]) * (z - u_target_[k]) - w0_ * z * z);
    }
  }
  double pen = 0;
  for (int32_t u = 0; u < n_users_; ++u) {
    const double n = per_rating_ ? static_cast<double>(u_start_[u + 1] - u_start_[u]) : 1.0;
    for (int64_t j = 0; j < f; ++j) pen += n * W_[u * f + j] * W_[u * f + j];
  }
  for (int32_t i = 0; i < n_items_; ++i) {
    const double n = per_rating_ ? static_cast<double>(i_start_[i + 1] - i_start_[i]) : 1.0;
    for (int64_t j = 0; j < f; ++j) pen += n * X_[i * f + j] * X_[i * f + j];
  }
  return J + 0.5 * lambda_ * pen;
}

double WalsSolver::validation_rmse(const Ratings& val) const {
  if (val.size() == 0) return 0.0;
  double acc = 0;
  for (size_t r = 0; r < val.size(); ++r) {
    const float* w = W_.data() + static_cast<int64_t>(val.user[r]) * f_;
    const float* x = X_.data() + static_cast<int64_t>(val.item[r]) * f_;
    double z = 0;
    for (int64_t j = 0; j < f_; ++j) z += static_cast<double>(w[j]) * x[j];
    const double p = rating_target_ ? val.value[r] : 1.0;
    acc += (z - p) * (z - p);
  }
  return std::sqrt(acc / static_cast<double>(val.size()));
}

}  // namespace towerrec

#include "eval/ease.h"

#include <algorithm>
#include <cmath>
#include <string>

#include <Eigen/Dense>

#include "core/error.h"
#include "data/dataset.h"
#include "data/user_items.h"

namespace towerrec {

using MatD = Eigen::MatrixXd;

struct EaseModel::State {
  bool user_side = false;
  int32_t n_users = 0, n_items = 0;
  UserItems seen;             // the training matrix X by user (items ascending)
  MatD factor;                // item side: L of XᵀX + λI (lower); user side: K⁻¹
  std::vector<double> pdiag;  // diag(P)
};

namespace {

// Item side: the columns of L⁻¹ in blocks (column j is zero above row j), so diag(P) = diag(L⁻ᵀL⁻¹)
// costs items³/3 instead of the inverse's items³.
std::vector<double> item_side_diagonal(const MatD& L) {
  const int64_t n = L.rows();
  constexpr int64_t kBlock = 256;
  std::vector<double> pdiag(static_cast<size_t>(n));
  for (int64_t j0 = 0; j0 < n; j0 += kBlock) {
    const int64_t b = std::min(kBlock, n - j0), rows = n - j0;
    MatD Z = MatD::Zero(rows, b);
    Z.topRows(b).setIdentity();
    L.bottomRightCorner(rows, rows).triangularView<Eigen::Lower>().solveInPlace(Z);
    for (int64_t c = 0; c < b; ++c) pdiag[j0 + c] = Z.col(c).squaredNorm();
  }
  return pdiag;
}

}  // namespace

EaseModel EaseModel::fit(const Dataset& data, const std::vector<uint32_t>& train_rows,
                         double lambda) {
  if (!(lambda > 0) || !std::isfinite(lambda))
    throw Error("EASE^R: eval.ease_lambda: expected a number > 0, found " + std::to_string(lambda));
  auto s = std::make_shared<State>();
  s->n_users = data.num_users();
  s->n_items = data.num_items();
  s->seen = UserItems::from_rows(data, train_rows);
  const UserItems& X = s->seen;
  const int64_t m = s->n_users, n = s->n_items;
  s->user_side = m < n;
  s->pdiag.assign(static_cast<size_t>(n), 0.0);
  // Duplicate (user, item) rows would count twice; the readers keep one, but be exact anyway.
  auto unique_items = [&X](int32_t u) {
    std::vector<int32_t> v(X.item.begin() + X.offset[u], X.item.begin() + X.offset[u + 1]);
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  };
  if (!s->user_side) {
    // G = XᵀX + λI (lower triangle), factored in place.
    MatD G = MatD::Zero(n, n);
    for (int32_t u = 0; u < m; ++u) {
      const std::vector<int32_t> items = unique_items(u);
      for (size_t a = 0; a < items.size(); ++a)
        for (size_t b = 0; b <= a; ++b) G(items[a], items[b]) += 1.0;
    }
    G.diagonal().array() += lambda;
    Eigen::LLT<Eigen::Ref<MatD>> llt(G);
    TOWERREC_CHECK(llt.info() == Eigen::Success);  // XᵀX + λI with λ > 0 is positive definite
    s->pdiag = item_side_diagonal(G);
    s->factor = std::move(G);
  } else {
    // K = XXᵀ + λI from each item's raters, then K⁻¹ (users² doubles).
    std::vector<std::vector<int32_t>> raters(static_cast<size_t>(n));
    for (int32_t u = 0; u < m; ++u)
      for (int32_t i : unique_items(u)) raters[i].push_back(u);
    MatD K = MatD::Zero(m, m);
    for (const auto& r : raters)
      for (size_t a = 0; a < r.size(); ++a)
        for (size_t b = 0; b <= a; ++b) K(r[a], r[b]) += 1.0;
    K.diagonal().array() += lambda;
    const Eigen::LLT<MatD> llt(K.selfadjointView<Eigen::Lower>());
    TOWERREC_CHECK(llt.info() == Eigen::Success);
    s->factor = llt.solve(MatD::Identity(m, m));
    const MatD& Kinv = s->factor;
    for (int64_t j = 0; j < n; ++j) {
      double q = 0;  // x_jᵀ K⁻¹ x_j
      for (int32_t a : raters[j])
        for (int32_t b : raters[j]) q += Kinv(a, b);
      s->pdiag[j] = (1.0 - q) / lambda;
    }
  }
  EaseModel model;
  model.state_ = std::move(s);
  return model;
}

int32_t EaseModel::num_items() const { return state_->n_items; }
const char* EaseModel::side() const {
  return state_->user_side ? "user Gram (Woodbury)" : "item Gram";
}
const std::vector<double>& EaseModel::p_diagonal() const { return state_->pdiag; }

BlockScorer EaseModel::scorer() const {
  return [s = state_](const std::vector<int32_t>& users, float* out) {
    const int64_t n = s->n_items, B = static_cast<int64_t>(users.size());
    const UserItems& X = s->seen;
    MatD Y = MatD::Zero(n, B);  // column b: P x_u
    if (!s->user_side) {
      for (int64_t b = 0; b < B; ++b)
        for (int64_t k = X.offset[users[b]]; k < X.offset[users[b] + 1]; ++k) Y(X.item[k], b) = 1;
      const auto L = s->factor.triangularView<Eigen::Lower>();
      L.solveInPlace(Y);
      L.transpose().solveInPlace(Y);
    } else {
      // (P x_u)ᵀ = row u of K⁻¹X = Σ_v K⁻¹(u, v) x_v.
      for (int64_t b = 0; b < B; ++b)
        for (int32_t v = 0; v < s->n_users; ++v) {
          const double w = s->factor(users[b], v);
          for (int64_t k = X.offset[v]; k < X.offset[v + 1]; ++k) Y(X.item[k], b) += w;
        }
    }
    for (int64_t b = 0; b < B; ++b) {
      float* row = out + b * n;
      for (int64_t i = 0; i < n; ++i) row[i] = static_cast<float>(-Y(i, b) / s->pdiag[i]);
      // + x_u: rated items (which ranking never recommends) get their 1 back, so B_jj = 0 holds.
      for (int64_t k = X.offset[users[b]]; k < X.offset[users[b] + 1]; ++k) row[X.item[k]] += 1.f;
    }
  };
}

}  // namespace towerrec

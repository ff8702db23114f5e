#include "cf/wals_solver.h"

#include <cmath>

#include <Eigen/Dense>
#include <catch2/catch.hpp>

#include "cf/cf_model.h"
#include "cf/cf_trainer.h"
#include "core/error.h"
#include "core/rng.h"
#include "data/dataset.h"

using namespace towerrec;

namespace {

// 3 users × 4 items; u2 rated nothing.
Ratings toy() {
  Ratings r;
  r.push_back(0, 0, 5, 0);
  r.push_back(0, 2, 3, 0);
  r.push_back(1, 1, 4, 0);
  r.push_back(1, 2, 1, 0);
  r.push_back(1, 3, 2, 0);
  return r;
}

CfOptions toy_options(const std::string& target) {
  CfOptions opts;
  opts.solver = CfSolverKind::kWals;
  opts.features = 2;
  opts.lambda = 0.1;
  opts.alpha = 2;
  opts.unobserved_weight = 0.3;
  CHECK(parse_enum(target, opts.wals_target));
  opts.init_std = 0.5;
  return opts;
}

// Dense weights and targets of every cell: rated c = 1 + α r and p = 1 or r, unrated w0 and 0.
void dense_cells(const Ratings& r, const CfOptions& opts, int32_t nu, int32_t ni,
                 Eigen::MatrixXd& C, Eigen::MatrixXd& P) {
  C = Eigen::MatrixXd::Constant(nu, ni, opts.unobserved_weight);
  P = Eigen::MatrixXd::Zero(nu, ni);
  for (size_t k = 0; k < r.size(); ++k) {
    C(r.user[k], r.item[k]) = 1 + opts.alpha * r.value[k];
    P(r.user[k], r.item[k]) = opts.wals_target == WalsTarget::kRating ? r.value[k] : 1.0;
  }
}

Eigen::MatrixXd as_matrix(const std::vector<float>& v, int64_t rows, int64_t f) {
  Eigen::MatrixXd M(rows, f);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < f; ++j) M(i, j) = v[i * f + j];
  return M;
}

// Row k of the weighted ridge over ALL cells: (Σ_j C_kj f_j f_jᵀ + λI) w = Σ_j C_kj P_kj f_j.
Eigen::VectorXd dense_solve(const Eigen::MatrixXd& F, const Eigen::VectorXd& c,
                            const Eigen::VectorXd& p, double lambda) {
  const Eigen::MatrixXd A =
      F.transpose() * c.asDiagonal() * F + lambda * Eigen::MatrixXd::Identity(F.cols(), F.cols());
  return A.ldlt().solve(F.transpose() * c.cwiseProduct(p));
}

}  // namespace

TEST_CASE("WALS: a sweep equals the dense weighted solves over every cell", "[cf]") {
  for (const std::string target : {"binary", "rating"}) {
    SECTION(target) {
      const Ratings r = toy();
      const CfOptions opts = toy_options(target);
      Rng rng(3);
      WalsSolver s(r, 3, 4, opts, rng);
      const Eigen::MatrixXd X0 = as_matrix(s.item_factors(), 4, 2);
      s.sweep();
      Eigen::MatrixXd C, P;
      dense_cells(r, opts, 3, 4, C, P);
      const Eigen::MatrixXd W = as_matrix(s.user_factors(), 3, 2);
      const Eigen::MatrixXd X = as_matrix(s.item_factors(), 4, 2);
      // Users with ratings solve against X0; the unrated u2 stays at 0 (all its targets are 0).
      for (int u = 0; u < 2; ++u) {
        const Eigen::VectorXd w = dense_solve(X0, C.row(u).transpose(), P.row(u).transpose(), 0.1);
        for (int j = 0; j < 2; ++j) CHECK(W(u, j) == Approx(w(j)).margin(1e-5));
      }
      CHECK(W.row(2).norm() == 0);
      // Items solve against the new W.
      for (int i = 0; i < 4; ++i) {
        const Eigen::VectorXd x = dense_solve(W, C.col(i), P.col(i), 0.1);
        for (int j = 0; j < 2; ++j) CHECK(X(i, j) == Approx(x(j)).margin(1e-5));
      }
      // J by the Gramian trick equals J summed over all 12 cells.
      const Eigen::MatrixXd E = W * X.transpose() - P;
      const double J = 0.5 * C.cwiseProduct(E.cwiseProduct(E)).sum() +
                       0.05 * (W.squaredNorm() + X.squaredNorm());
      CHECK(s.loss() == Approx(J).epsilon(1e-6));
    }
  }
}

TEST_CASE("WALS: J never increases and held-out items of the user's own block rank first", "[cf]") {
  // Two taste blocks: users 0..9 rate items 0..9, users 10..19 items 10..19 (rating 4), except
  // user u's held-out item (u + 3) mod 10 of their block. Which cells are rated is the signal WALS
  // fits, so a held-out item must outscore every item of the other block.
  Ratings train, held;
  for (int32_t u = 0; u < 20; ++u) {
    const int32_t base = u < 10 ? 0 : 10;
    for (int32_t j = 0; j < 10; ++j) {
      const bool out = j == (u + 3) % 10;
      (out ? held : train).push_back(u, base + j, 4, 0);
    }
  }
  CfOptions opts = toy_options("binary");
  opts.features = 2;
  opts.lambda = 0.5;
  opts.unobserved_weight = 0.1;
  opts.iterations = 8;
  CfHistory h;
  const CfModel m = train_cf(train, 20, 20, opts, {}, &h, &held);
  REQUIRE(h.loss.size() == 8);
  REQUIRE(h.validation.size() == 8);
  for (size_t k = 1; k < h.loss.size(); ++k) CHECK(h.loss[k] <= h.loss[k - 1] * (1 + 1e-6));
  for (size_t k = 0; k < held.size(); ++k) {
    const int32_t u = held.user[k];
    const std::vector<float> s = m.scores(u);
    const int32_t other = u < 10 ? 10 : 0;
    for (int32_t j = other; j < other + 10; ++j) CHECK(s[held.item[k]] > s[j]);
  }
  CHECK_FALSE(m.predicts_stars());
  CHECK(m.item_offset() == std::vector<float>(20, 0.f));
  CHECK(m.user_bias() == std::vector<float>(20, 0.f));
  CHECK(std::isinf(m.rating_max()));  // scores are preferences: never clipped to stars
}

TEST_CASE("WALS: unsupported combinations", "[cf]") {
  const Ratings r = toy();
  CfOptions opts = toy_options("binary");
  opts.item_bias = true;
  CHECK_THROWS_WITH(train_cf(r, 3, 4, opts),
                    "train_cf: cf.item_bias: expected cf.solver als or gibbs with cf.item_bias: "
                    "true, found \"wals\"");
  opts = toy_options("binary");
  opts.binary = true;
  CHECK_THROWS_WITH(train_cf(r, 3, 4, opts),
                    Catch::Contains("expected \"adam\" with cf.binary: true"));
}

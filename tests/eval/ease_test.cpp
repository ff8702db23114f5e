#include "eval/ease.h"

#include <Eigen/Dense>
#include <catch2/catch.hpp>

#include "core/error.h"
#include "data/dataset.h"
#include "eval/baselines.h"

using namespace towerrec;

namespace {

// users × items 0/1 matrix as a dataset (every cell with a 1 is a training rating).
Dataset from_matrix(const std::vector<std::vector<int>>& x, std::vector<uint32_t>& rows) {
  Dataset d;
  for (size_t u = 0; u < x.size(); ++u) d.users.add(static_cast<int64_t>(u));
  for (size_t i = 0; i < x[0].size(); ++i) d.items.add(static_cast<int64_t>(i));
  for (size_t u = 0; u < x.size(); ++u)
    for (size_t i = 0; i < x[u].size(); ++i)
      if (x[u][i]) {
        rows.push_back(static_cast<uint32_t>(d.ratings.size()));
        d.ratings.push_back(static_cast<int32_t>(u), static_cast<int32_t>(i), 4, 0);
      }
  return d;
}

// Steck's formula, literally: P = (XᵀX + λI)⁻¹, B = I − P diag(1/diag P), S = XB.
Eigen::MatrixXd direct_scores(const std::vector<std::vector<int>>& x, double lambda,
                              Eigen::VectorXd& pdiag) {
  const int m = static_cast<int>(x.size()), n = static_cast<int>(x[0].size());
  Eigen::MatrixXd X(m, n);
  for (int u = 0; u < m; ++u)
    for (int i = 0; i < n; ++i) X(u, i) = x[u][i];
  const Eigen::MatrixXd P =
      (X.transpose() * X + lambda * Eigen::MatrixXd::Identity(n, n)).inverse();
  pdiag = P.diagonal();
  Eigen::MatrixXd B = Eigen::MatrixXd::Identity(n, n) - P * pdiag.cwiseInverse().asDiagonal();
  return X * B;
}

void check_against_direct(const std::vector<std::vector<int>>& x, double lambda, const char* side) {
  std::vector<uint32_t> rows;
  const Dataset d = from_matrix(x, rows);
  const EaseModel ease = EaseModel::fit(d, rows, lambda);
  CHECK(std::string(ease.side()) == side);
  Eigen::VectorXd pdiag;
  const Eigen::MatrixXd S = direct_scores(x, lambda, pdiag);
  const int m = static_cast<int>(x.size()), n = static_cast<int>(x[0].size());
  for (int i = 0; i < n; ++i) CHECK(ease.p_diagonal()[i] == Approx(pdiag(i)).epsilon(1e-9));
  std::vector<int32_t> users(static_cast<size_t>(m));
  for (int u = 0; u < m; ++u) users[u] = u;
  std::vector<float> out(static_cast<size_t>(m) * n);
  ease.scorer()(users, out.data());
  for (int u = 0; u < m; ++u)
    for (int i = 0; i < n; ++i) CHECK(out[u * n + i] == Approx(S(u, i)).margin(1e-6));
}

}  // namespace

TEST_CASE("EASE^R: item-Gram path equals Steck's closed form", "[eval]") {
  // 5 users >= 4 items: the item Gram matrix is factored.
  check_against_direct({{1, 1, 0, 0}, {1, 0, 1, 0}, {0, 1, 1, 1}, {1, 1, 1, 0}, {0, 0, 1, 1}}, 0.7,
                       "item Gram");
}

TEST_CASE("EASE^R: user-Gram (Woodbury) path equals Steck's closed form", "[eval]") {
  // 3 users < 6 items: the user Gram matrix is factored; item 5 nobody rated.
  check_against_direct({{1, 1, 0, 0, 1, 0}, {0, 1, 1, 0, 0, 0}, {1, 0, 1, 1, 0, 0}}, 2.5,
                       "user Gram (Woodbury)");
}

TEST_CASE("EASE^R: bad lambda, and the baseline row over ease_max_items", "[eval]") {
  std::vector<uint32_t> rows;
  const Dataset d = from_matrix({{1, 0, 1}, {0, 1, 1}}, rows);
  CHECK_THROWS_WITH(EaseModel::fit(d, rows, 0),
                    "EASE^R: eval.ease_lambda: expected a number > 0, found 0.000000");
  EvalOptions opts;
  opts.ease_max_items = 2;
  const ComparisonRow skipped = evaluate_ease(d, rows, rows, opts);
  CHECK(skipped.model == "ease");
  CHECK_FALSE(skipped.recall_at_k.has_value());
  CHECK(skipped.note ==
        "skipped: 3 items > eval.ease_max_items (2); its memory grows with min(users, items)^2");
  opts.ease_max_items = 3;
  opts.relevant_min = 0;
  const ComparisonRow row = evaluate_ease(d, {0, 2}, {1, 3}, opts);  // test: u0 i2, u1 i2
  CHECK(row.note.empty());
  CHECK(row.recall_at_k.has_value());
  CHECK(row.train_seconds.has_value());
  CHECK_FALSE(row.test_rmse.has_value());
}

#include "cf/cf_dense_cost.h"

#include <catch2/catch.hpp>

#include "cf/cf_model.h"
#include "cf/cf_trainer.h"
#include "core/error.h"
#include "data/cf_lab.h"
#include "data/dataset.h"
#include "test_util.h"

using namespace towerrec;

namespace {

// The lab's sparse cost on the same slice: a CfModel holding the slice's W, b, X with μ = 0.
double sparse_cost(const RowMatrixF& X, const RowMatrixF& W, const RowMatrixF& b,
                   const RowMatrixF& Y, const RowMatrixF& R, double lambda) {
  CfOptions opts;
  opts.features = X.cols();
  opts.lambda = lambda;
  opts.mean_normalize = false;
  CfModel m(static_cast<int32_t>(W.rows()), static_cast<int32_t>(X.rows()), opts);
  std::copy(W.data(), W.data() + W.size(), m.user_weights().begin());
  std::copy(X.data(), X.data() + X.size(), m.item_features().begin());
  std::copy(b.data(), b.data() + b.size(), m.user_bias().begin());
  Ratings r;
  for (int64_t i = 0; i < Y.rows(); ++i)
    for (int64_t u = 0; u < Y.cols(); ++u)
      if (R(i, u) != 0.f) r.push_back(static_cast<int32_t>(u), static_cast<int32_t>(i), Y(i, u), 0);
  return cf_cost(m, r);
}

}  // namespace

TEST_CASE("cf_dense_cost: tiny hand-computed case, dense and sparse agree", "[cf]") {
  RowMatrixF X(2, 1), W(2, 1), b(1, 2), Y(2, 2), R(2, 2);
  X << 1, 2;
  W << 3, -1;
  b << 0.5, 0;
  Y << 4, 0, 5, 1;
  R << 1, 0, 1, 1;
  // predictions: [3.5, -1; 6.5, -2]; errors on rated: -0.5, 1.5, -3 -> ½(0.25 + 2.25 + 9) = 5.75
  CHECK(cf_dense_cost(X, W, b, Y, R, 0) == Approx(5.75));
  // + λ/2 (9 + 1 + 1 + 4) = 7.5 at λ = 1
  CHECK(cf_dense_cost(X, W, b, Y, R, 1) == Approx(13.25));
  CHECK(sparse_cost(X, W, b, Y, R, 0) == Approx(5.75));
  CHECK(sparse_cost(X, W, b, Y, R, 1) == Approx(13.25));
}

TEST_CASE("cf_dense_cost: mismatched shapes name every shape", "[cf]") {
  RowMatrixF X(2, 1), W(3, 1), b(1, 2), Y(2, 2), R(2, 2);
  CHECK_THROWS_WITH(cf_dense_cost(X, W, b, Y, R, 0),
                    "cf_dense_cost: expected X [n_items, f], W [n_users, f], b [1, n_users], Y and "
                    "R [n_items, n_users], found X [2, 1], W [3, 1], b [1, 2], Y [2, 2], R [2, 2]");
}

TEST_CASE("cf_dense_cost: reproduces the course lab's cost (13.67 and 28.09)", "[cf]") {
  const std::string dir = test::shared_data("c3w2-collab-filtering-lab");
  if (dir.empty()) {
    WARN("c3w2-collab-filtering-lab not found; skipping");
    return;
  }
  const CfLab lab = read_cf_lab(dir);
  // The lab's slice: X[:5,:3], W[:4,:3], b[:4], Y[:5,:4], R[:5,:4].
  const RowMatrixF X = lab.X.topLeftCorner(5, 3), W = lab.W.topLeftCorner(4, 3),
                   b = lab.b.topLeftCorner(1, 4), Y = lab.Y.topLeftCorner(5, 4),
                   R = lab.R.topLeftCorner(5, 4);
  CHECK(cf_dense_cost(X, W, b, Y, R, 0) == Approx(13.67).margin(0.005));
  CHECK(cf_dense_cost(X, W, b, Y, R, 1.5) == Approx(28.09).margin(0.005));
  CHECK(sparse_cost(X, W, b, Y, R, 0) == Approx(13.67).margin(0.005));
  CHECK(sparse_cost(X, W, b, Y, R, 1.5) == Approx(28.09).margin(0.005));
  // The whole pre-computed parameter set: dense and sparse agree to float precision.
  const double dense = cf_dense_cost(lab.X, lab.W, lab.b, lab.Y, lab.R, 1.0);
  CHECK(sparse_cost(lab.X, lab.W, lab.b, lab.Y, lab.R, 1.0) == Approx(dense).epsilon(1e-5));
}

#include "cf/cf_dense_cost.h"

#include <string>

#include <ATen/TensorOperators.h>
#include <ATen/core/TensorBody.h>
#include <ATen/core/grad_mode.h>
#include <ATen/ops/from_blob.h>
#include <ATen/ops/matmul.h>

#include "core/error.h"

namespace towerrec {
namespace {

at::Tensor view(const RowMatrixF& m) {
  return at::from_blob(const_cast<float*>(m.data()), {m.rows(), m.cols()}, at::kFloat)
      .to(at::kDouble);
}

std::string shape(const RowMatrixF& m) {
  return "[" + std::to_string(m.rows()) + ", " + std::to_string(m.cols()) + "]";
}

}  // namespace

double cf_dense_cost(const RowMatrixF& X, const RowMatrixF& W, const RowMatrixF& b,
                     const RowMatrixF& Y, const RowMatrixF& R, double lambda) {
  const bool ok = X.cols() == W.cols() && Y.rows() == X.rows() && Y.cols() == W.rows() &&
                  R.rows() == Y.rows() && R.cols() == Y.cols() && b.rows() == 1 &&
                  b.cols() == W.rows();
  if (!ok)
    throw Error(
        "cf_dense_cost: expected X [n_items, f], W [n_users, f], b [1, n_users], Y and R "
        "[n_items, n_users], found X " +
        shape(X) + ", W " + shape(W) + ", b " + shape(b) + ", Y " + shape(Y) + ", R " + shape(R));
  at::NoGradGuard no_grad;
  const at::Tensor x = view(X), w = view(W);
  const at::Tensor err = (at::matmul(x, w.t()) + view(b) - view(Y)) * view(R);
  return (0.5 * err.square().sum() + 0.5 * lambda * (w.square().sum() + x.square().sum()))
      .item<double>();
}

}  // namespace towerrec

// The course lab's vectorised cost on dense Y/R matrices ("lab mode"), used to reproduce the lab's
// numbers exactly and as the reference the sparse cost is checked against:
//   J = ½ Σ_ij R_ij (X Wᵀ + b − Y)_ij² + λ/2 ΣW² + λ/2 ΣX²
// Shapes as in the lab: X [n_items, f], W [n_users, f], b [1, n_users], Y and R [n_items, n_users].
#pragma once

#include <Eigen/Core>

namespace towerrec {

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Throws Error on mismatched shapes. Computed with torch in double precision.
double cf_dense_cost(const RowMatrixF& X, const RowMatrixF& W, const RowMatrixF& b,
                     const RowMatrixF& Y, const RowMatrixF& R, double lambda);

}  // namespace towerrec

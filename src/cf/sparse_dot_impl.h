// The CF model's forward pass over a sparse list of rated pairs as one autograd op:
//   z[r] = W[user[r]] · X[item[r]] + b[user[r]]
// Fusing gather + rowwise dot keeps memory at O(ratings + parameters): the [ratings, features]
// gathered rows that W.index(user) * X.index(item) would materialise never exist (on this VM each
// such 16 MB temporary cost ~15 ms in page faults, 10x the arithmetic). The backward pass scatters
// into W, X, b grouped by user and by item, so threads never write the same row.
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

namespace towerrec {

// Rated pairs with their by-user and by-item groupings (built once, reused by every iteration).
struct SparsePairs {
  std::vector<int32_t> user, item;  // [n]
  std::vector<int64_t> user_start;  // [n_users + 1]: ratings of user u are by_user[user_start[u]..)
  std::vector<int32_t> by_user;
  std::vector<int64_t> item_start;  // [n_items + 1]
  std::vector<int32_t> by_item;

  SparsePairs(std::vector<int32_t> user, std::vector<int32_t> item, int32_t n_users,
              int32_t n_items);
  int64_t size() const { return static_cast<int64_t>(user.size()); }
};

// z [n] for W [n_users, f], X [n_items, f], b [n_users] (float32, contiguous); differentiable in W,
// X and b. `pairs` must outlive the backward pass.
at::Tensor sparse_dot(const at::Tensor& W, const at::Tensor& X, const at::Tensor& b,
                      const SparsePairs& pairs);

}  // namespace towerrec

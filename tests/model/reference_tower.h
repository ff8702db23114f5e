// The towers written with plain ATen ops and autograd: what a reader of the lab would write. Tests
// compare the hand-written forward and backward passes (model/tower_impl.h) against it. Kept in its
// own file so the tests that use it need only <ATen/core/Tensor.h>, not <torch/torch.h> (~25 s of
// compile time per file).
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

#include "model/tower_impl.h"

namespace towerrec::test {

// L2-normalised output of tower `t` on rows `x` [n, t.in]. With `leaves`, the weights are
// differentiable copies, appended to *leaves in named_parameters() order (weight, bias per layer).
at::Tensor reference_tower(const Tower& t, const at::Tensor& x,
                           std::vector<at::Tensor>* leaves = nullptr);

// A float32 tensor [rows, cols] copied from `v` (cols 0 = a vector of v.size()).
at::Tensor tensor_of(const std::vector<float>& v, int64_t rows = -1, int64_t cols = 0);

// Rows `idx` of the float32 matrix `m` [rows, cols] stored row-major in `data`.
at::Tensor gather_rows(const std::vector<float>& data, int64_t rows, int64_t cols,
                       const std::vector<int32_t>& idx);

}  // namespace towerrec::test

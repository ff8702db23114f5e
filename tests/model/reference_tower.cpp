#include "reference_tower.h"

#include <ATen/ops/from_blob.h>
#include <ATen/ops/linear.h>
#include <ATen/ops/relu.h>

namespace towerrec::test {

at::Tensor reference_tower(const Tower& t, const at::Tensor& x, std::vector<at::Tensor>* leaves) {
  at::Tensor h = x;
  for (size_t l = 0; l < t.layers.size(); ++l) {
    at::Tensor w = t.layers[l].weight, b = t.layers[l].bias;
    if (leaves) {
      w = w.detach().clone().requires_grad_(true);
      b = b.detach().clone().requires_grad_(true);
      leaves->push_back(w);
      leaves->push_back(b);
    }
    h = at::linear(h, w, b);
    if (l + 1 < t.layers.size()) h = at::relu(h);
  }
  // torch.nn.functional.normalize(h, p=2, dim=1)
  return h.div(h.norm(2, {1}, /*keepdim=*/true).clamp_min(1e-12));
}

at::Tensor tensor_of(const std::vector<float>& v, int64_t rows, int64_t cols) {
  const std::vector<int64_t> shape = cols == 0
                                         ? std::vector<int64_t>{static_cast<int64_t>(v.size())}
                                         : std::vector<int64_t>{rows, cols};
  return at::from_blob(const_cast<float*>(v.data()), shape, at::kFloat).clone();
}

at::Tensor gather_rows(const std::vector<float>& data, int64_t rows, int64_t cols,
                       const std::vector<int32_t>& idx) {
  std::vector<int64_t> i64(idx.begin(), idx.end());
  const at::Tensor index =
      at::from_blob(i64.data(), {static_cast<int64_t>(i64.size())}, at::kLong).clone();
  return at::from_blob(const_cast<float*>(data.data()), {rows, cols}, at::kFloat)
      .index_select(0, index);
}

}  // namespace towerrec::test

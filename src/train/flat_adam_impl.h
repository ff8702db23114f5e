// Adam (torch.optim.Adam semantics, L2 weight decay added to the gradient) over one flat parameter
// buffer: a single fused pass per step instead of a dozen small tensors each walked by several ops.
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

namespace towerrec {

struct AdamOptions {
  double lr = 1e-3;
  double weight_decay = 0;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};

class FlatAdam {
 public:
  // params and grads: contiguous float32 [P], same layout; both must outlive the optimiser.
  FlatAdam(at::Tensor params, at::Tensor grads, const AdamOptions& opts);
  // One update from the current grads (one fused pass, AVX2 where the CPU has it).
  void step();
  int64_t steps() const { return t_; }

 private:
  at::Tensor params_;
  at::Tensor grads_;
  AdamOptions opts_;
  std::vector<float> m_;
  std::vector<float> v_;
  int64_t t_ = 0;
};

}  // namespace towerrec

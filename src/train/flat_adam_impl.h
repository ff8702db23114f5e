// Adam (torch.optim.Adam semantics, L2 weight decay added to the gradient) over one flat parameter
// buffer: a single fused pass per step instead of a dozen small tensors each walked by several ops,
// in two halves side by side when torch has >= 2 threads (train/thread_pair.h; the same bits).
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
  // One update from the current grads (one fused pass, AVX2 where the CPU has it). Moments and
  // updates below float's normal range are flushed to zero (core/flush_denormals.h).
  void step();
  int64_t steps() const { return t_; }
  // The moment estimates ([P] each, the params' layout), saved with the step count for resuming.
  const std::vector<float>& first_moment() const { return m_; }
  const std::vector<float>& second_moment() const { return v_; }
  // Continues from a saved state: the next step() is step `steps` + 1 with these moments. Throws
  // Error when a moment's size is not P.
  void restore(int64_t steps, const std::vector<float>& m, const std::vector<float>& v);

 private:
  at::Tensor params_;
  at::Tensor grads_;
  AdamOptions opts_;
  std::vector<float> m_;
  std::vector<float> v_;
  int64_t t_ = 0;
};

}  // namespace towerrec

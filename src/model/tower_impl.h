// Torch side of one tower (an MLP): its layers as views into the model's flat parameter and
// gradient buffers, and a hand-written forward and backward over preallocated activation buffers.
// There is no autograd graph: at batch 32 per-op dispatch and allocation cost more than the
// arithmetic, so a step is a fixed sequence of BLAS calls (core/blas.h) plus fused loops over
// raw floats.
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

namespace towerrec {

// One Linear layer (torch.nn.Linear layout). All four tensors are views into flat buffers.
struct TowerLayer {
  at::Tensor weight;       // [out, in]
  at::Tensor bias;         // [out]
  at::Tensor weight_grad;  // [out, in]
  at::Tensor bias_grad;    // [out]
};

struct Tower {
  int64_t in = 0;
  std::vector<TowerLayer> layers;  // ReLU after every layer but the last
  int64_t out() const { return layers.back().weight.size(0); }
};

// Scratch for running a tower on up to `capacity` rows. Reused across steps so a step allocates
// nothing. Not shared between threads.
struct TowerBuffers {
  TowerBuffers(const Tower& tower, int64_t capacity, bool for_training);
  int64_t capacity = 0;
  at::Tensor x;                 // [capacity, in]: the caller fills rows [0, n)
  std::vector<at::Tensor> act;  // act[l]: [capacity, out_l]; after ReLU for hidden layers
  at::Tensor y;                 // [capacity, dim]: the L2-normalised output
  std::vector<float> inv_norm;  // [capacity]: 1 / max(||act.back() row||, 1e-12)
  // Training only.
  std::vector<at::Tensor> grad;  // grad[l]: [capacity, out_l], dLoss/d(pre-activation of layer l)
  at::Tensor dy;                 // [capacity, dim]: the caller fills dLoss/dy rows [0, n)
};

// Rows [0, n) of buf.x -> rows [0, n) of buf.y. n <= buf.capacity.
void tower_forward(const Tower& tower, TowerBuffers& buf, int64_t n);

// From rows [0, n) of buf.dy (after tower_forward on the same rows), overwrites every layer's
// weight_grad and bias_grad with the gradient of the loss.
void tower_backward(const Tower& tower, TowerBuffers& buf, int64_t n);

}  // namespace towerrec

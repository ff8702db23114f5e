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
  // Optional bag of sparse inputs (the user tower's watched items): [vocab, out of layer 0]. Row p
  // is the first-layer weight column of bag position p, stored as a row so that a bag entry adds
  // one contiguous row (an embedding-bag sum) to the first layer's pre-activation. Undefined when
  // the tower has no bag. Views into the model's flat buffers like the layers.
  at::Tensor bag;
  at::Tensor bag_grad;
  int64_t out() const { return layers.back().weight.size(0); }
  bool has_bag() const { return bag.defined(); }
};

// Scratch for running a tower on up to `capacity` rows. Reused across steps so a step allocates
// nothing. Not shared between threads.
struct TowerBuffers {
  TowerBuffers(const Tower& tower, int64_t capacity, bool for_training);
  int64_t capacity = 0;
  at::Tensor x;                 // [capacity, in]: the caller fills rows [0, n)
  // Bag entries of rows [0, n) in CSR form, filled by the caller when the tower has a bag:
  // row r adds bag_value[e] * tower.bag[bag_index[e]] for e in [bag_offsets[r], bag_offsets[r+1]).
  std::vector<int64_t> bag_offsets;
  std::vector<int32_t> bag_index;
  std::vector<float> bag_value;
  std::vector<at::Tensor> act;  // act[l]: [capacity, out_l]; after ReLU for hidden layers
  at::Tensor y;                 // [capacity, dim]: the L2-normalised output
  std::vector<float> inv_norm;  // [capacity]: 1 / max(||act.back() row||, 1e-12)
  // Training only.
  std::vector<at::Tensor> grad;  // grad[l]: [capacity, out_l], dLoss/d(pre-activation of layer l)
  at::Tensor dy;                 // [capacity, dim]: the caller fills dLoss/dy rows [0, n)
};

// Copies rows [row0, row0 + n) of `bag` into buf's bag entries (rows [0, n)); no-op for a null bag.
struct SparseRows;
// With `append`, adds rows after those already filled instead.
void fill_bag(const SparseRows* bag, const int32_t* rows, int64_t n, TowerBuffers& buf,
              bool append = false);
void fill_bag_range(const SparseRows* bag, int64_t row0, int64_t n, TowerBuffers& buf);

// Rows [0, n) of buf.x (and buf's bag entries) -> rows [0, n) of buf.y. n <= buf.capacity.
void tower_forward(const Tower& tower, TowerBuffers& buf, int64_t n);

// From rows [0, n) of buf.dy (after tower_forward on the same rows), overwrites every layer's
// weight_grad and bias_grad (and the bag's gradient) with the gradient of the loss.
void tower_backward(const Tower& tower, TowerBuffers& buf, int64_t n);

}  // namespace towerrec

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

// The bag entries of a batch's rows [0, n). Rows that share a bag row of the SparseRows they came
// from (the same user: a batch of 1024 ratings from ~600 users repeats most of them) share one
// CSR row, so the embedding-bag sum and its gradient cost O(entries of the distinct bags), not
// O(entries of the rows): batch row r adds value[e] * tower.bag[index[e]] for e in
// [offsets[slot[r]], offsets[slot[r] + 1]).
struct BagBatch {
  std::vector<int32_t> slot;        // [n]: batch row -> distinct bag row
  std::vector<int64_t> offsets{0};  // [distinct + 1]
  std::vector<int32_t> index;       // bag position of each entry
  std::vector<float> value;         // weight of each entry
  std::vector<int32_t> source;      // [distinct]: the SparseRows row each came from
  std::vector<int32_t> slot_of;     // [SparseRows rows]: its slot in this batch, or -1
  // Scratch of tower_forward / tower_backward, kept so a step allocates nothing.
  std::vector<float> sums;            // [distinct, width]: bag sums, then per-slot gradients
  std::vector<int64_t> slot_offsets;  // [distinct + 1]: batch rows grouped by slot
  std::vector<int32_t> slot_rows;
  std::vector<int64_t> col_offsets;  // [vocab + 1]: entries grouped by bag position
  std::vector<int32_t> col_slot;
  std::vector<float> col_value;
  int64_t rows() const { return static_cast<int64_t>(slot.size()); }
  int64_t distinct() const { return static_cast<int64_t>(offsets.size()) - 1; }
};

// Scratch for running a tower on up to `capacity` rows. Reused across steps so a step allocates
// nothing. Not shared between threads.
struct TowerBuffers {
  TowerBuffers(const Tower& tower, int64_t capacity, bool for_training);
  int64_t capacity = 0;
  at::Tensor x;  // [capacity, in]: the caller fills rows [0, n)
  // Bag entries of rows [0, n), filled by the caller (fill_bag*) when the tower has a bag.
  BagBatch bag;
  std::vector<at::Tensor> act;  // act[l]: [capacity, out_l]; after ReLU for hidden layers
  at::Tensor y;                 // [capacity, dim]: the L2-normalised output
  std::vector<float> inv_norm;  // [capacity]: 1 / max(||act.back() row||, 1e-12)
  // Training only.
  std::vector<at::Tensor> grad;  // grad[l]: [capacity, out_l], dLoss/d(pre-activation of layer l)
  at::Tensor dy;                 // [capacity, dim]: the caller fills dLoss/dy rows [0, n)
};

// Copies rows rows[0..n) of `bag` into buf's bag entries (batch rows [0, n)), each distinct bag
// row once; a null bag clears them. With `append`, adds batch rows after those already filled
// instead (from the same `bag`).
struct SparseRows;
void fill_bag(const SparseRows* bag, const int32_t* rows, int64_t n, TowerBuffers& buf,
              bool append = false);
// The same for bag rows [row0, row0 + n) (all distinct).
void fill_bag_range(const SparseRows* bag, int64_t row0, int64_t n, TowerBuffers& buf);

// Rows [0, n) of buf.x (and buf's bag entries) -> rows [0, n) of buf.y. n <= buf.capacity.
void tower_forward(const Tower& tower, TowerBuffers& buf, int64_t n);

// From rows [0, n) of buf.dy (after tower_forward on the same rows), overwrites every layer's
// weight_grad and bias_grad (and the bag's gradient) with the gradient of the loss.
void tower_backward(const Tower& tower, TowerBuffers& buf, int64_t n);

}  // namespace towerrec

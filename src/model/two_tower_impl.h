// Torch side of TwoTowerModel: every parameter of both towers lives in ONE flat contiguous tensor
// (and every gradient in a second one of the same layout), so an optimiser step is a single fused
// loop over all weights and a checkpoint is one block of floats. Layer tensors are views into them.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <ATen/core/Tensor.h>

#include "config/options.h"
#include "model/tower_impl.h"
#include "model/two_tower_model.h"

namespace towerrec {

struct TwoTowerModel::Impl {
  // Allocates zeroed parameters for the given shapes (no initialisation).
  Impl(int64_t user_in, int64_t item_in, const ModelOptions& opts);
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // Draws weights and biases as torch.nn.Linear does, from Rng(seed).
  void init(uint64_t seed);

  // (name, tensor) in storage order: "user.0.weight", "user.0.bias", ..., "item.<L-1>.bias".
  std::vector<std::pair<std::string, at::Tensor>> named_parameters() const;

  ModelOptions opts;
  int64_t user_in = 0;
  int64_t item_in = 0;
  at::Tensor params;  // [P] float32, contiguous
  at::Tensor grads;   // [P] float32, same layout as params
  Tower user;
  Tower item;
};

}  // namespace towerrec

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
  // Allocates zeroed parameters for the given shapes (no initialisation). user_bag > 0 gives the
  // user tower a bag of that many sparse inputs (features/watched_items.h).
  Impl(int64_t user_in, int64_t item_in, const ModelOptions& opts, int64_t user_bag = 0,
       int64_t item_bag = 0);
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // Draws weights and biases as torch.nn.Linear does, from Rng(seed).
  void init(uint64_t seed);

  // (name, tensor) in storage order: "user.0.weight", "user.0.bias", ..., "item.<L-1>.bias", then
  // "user.bag" [user_bag, first user layer's width] and "item.bag" [item_bag, first item layer's
  // width] when there are bags, then with
  // rating_head "linear" "head.scale" [1], "head.bias" [1], "head.user" [dim], "head.item" [dim].
  std::vector<std::pair<std::string, at::Tensor>> named_parameters() const;

  ModelOptions opts;
  int64_t user_in = 0;
  int64_t item_in = 0;
  int64_t user_bag = 0;
  int64_t item_bag = 0;
  at::Tensor params;  // [P] float32, contiguous
  at::Tensor grads;   // [P] float32, same layout as params
  Tower user;
  Tower item;
  // Rating head (rating_head "linear"): rating = scale * dot(u, v) + bias + head_user.u +
  // head_item.v; undefined tensors with "dot". Views into params (and grads) like the layers.
  at::Tensor head_scale, head_bias, head_user, head_item;
  at::Tensor head_scale_grad, head_bias_grad, head_user_grad, head_item_grad;
  bool has_head() const { return head_scale.defined(); }
};

}  // namespace towerrec

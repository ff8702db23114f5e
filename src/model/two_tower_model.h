// TwoTowerModel: a user tower and an item tower (MLPs) whose L2-normalised outputs meet in a dot
// product, as in the course lab. The prediction for (user, item) is dot(embed_user, embed_item), in
// the scaled target units [-1, 1] (features/target_scaler.h maps them back to stars).
//
// Each tower: Linear(in, h1) ReLU Linear(h1, h2) ReLU ... Linear(h_last, dim), no activation after
// the last layer, then x / max(||x||, 1e-12). Weights use the torch.nn.Linear layout ([out, in])
// and its default initialisation (U(-1/sqrt(in), 1/sqrt(in)) for weights and biases), drawn from a
// seeded platform-stable Rng.
//
// Checkpoint format (version 2, little-endian; the frame of core/framed_file.h):
//   bytes 0..7    magic "TWOTOWER"
//   bytes 8..11   uint32 format version (2; version 1 files get "re-train the model")
//   bytes 12..15  uint32 header length L
//   bytes 16..    L bytes of JSON: {"user_in", "item_in", "model": ModelOptions as JSON,
//                 "tensors": [{"name", "shape"}...] in storage order, "meta": caller's blob}
//   then          uint64 float count N (the sum of the tensor sizes), N float32 values,
//                 uint64 FNV-1a hash of every byte before it; nothing after it. (Version 1
//                 hashed the N*4 weight bytes only.)
// Tensor names are "<tower>.<layer>.<weight|bias>", e.g. "user.0.weight" [h1, user_in]; they and
// the shapes are part of the format.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "config/options.h"

namespace towerrec {

struct SparseRows;
struct Features;

// The rating head's parameters as plain numbers (ModelOptions::rating_head): the predicted rating
// in scaled units [-1, 1] is scale * dot(u, v) + bias + user.u + item.v. With rating_head "dot":
// scale 1, bias 0 and empty user/item vectors (the plain dot product).
struct RatingHead {
  float scale = 1;
  float bias = 0;
  std::vector<float> user;  // [dim] or empty
  std::vector<float> item;  // [dim] or empty
  // u, v: [dim] tower outputs.
  float apply(const float* u, const float* v, int64_t dim) const;
};

class TwoTowerModel {
 public:
  // A model with freshly initialised weights. Throws UsageError when a size is < 1. user_bag > 0
  // adds a bag of that many sparse user inputs (the watched items) to the user tower.
  TwoTowerModel(int64_t user_in, int64_t item_in, const ModelOptions& opts, uint64_t seed,
                int64_t user_bag = 0, int64_t item_bag = 0);
  ~TwoTowerModel();
  TwoTowerModel(TwoTowerModel&&) noexcept;
  TwoTowerModel& operator=(TwoTowerModel&&) noexcept;
  TwoTowerModel(const TwoTowerModel&) = delete;
  TwoTowerModel& operator=(const TwoTowerModel&) = delete;

  // A deep copy (weights included).
  TwoTowerModel clone() const;

  // x: [n, user_in] (resp. [n, item_in]) row-major -> [n, dim] row-major, each row of L2 norm 1.
  // With a user bag, row r's bag is row bag_row + r of `bag` (bag->cols must equal user_bag());
  // a null bag means every bag is empty (a user with no watched items).
  // const and safe to call from several threads at once (no shared scratch).
  std::vector<float> embed_users(const float* x, int64_t n, const SparseRows* bag = nullptr,
                                 int64_t bag_row = 0) const;
  std::vector<float> embed_items(const float* x, int64_t n, const SparseRows* bag = nullptr,
                                 int64_t bag_row = 0) const;

  int64_t dim() const;
  int64_t user_in() const;
  int64_t item_in() const;
  int64_t user_bag() const;  // 0 without a bag
  int64_t item_bag() const;  // item id vocabulary (features.item_ids); 0 without
  // The rating head (scale 1, bias 0 for rating_head "dot").
  RatingHead rating_head() const;
  int64_t num_parameters() const;
  const ModelOptions& options() const;

  // Writes the checkpoint atomically (core/atomic_file.h); `meta` is stored as given.
  void save(const std::string& path, const nlohmann::json& meta) const;
  // Reads a checkpoint; verifies magic, version, shapes, sizes and the hash. Throws IoError when
  // the file cannot be read and FormatError ("path: byte N: ...") when it is truncated, corrupt or
  // foreign.
  static TwoTowerModel load(const std::string& path, nlohmann::json* meta = nullptr);

  // The torch side (model/two_tower_impl.h), for the trainer, export and serving.
  struct Impl;
  Impl& impl() { return *impl_; }
  const Impl& impl() const { return *impl_; }

 private:
  explicit TwoTowerModel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Throws Error naming `ckpt` when `model` was trained on other inputs than `features` give: another
// number of user or item feature columns, or bags over other vocabularies (a features.json that is
// not this checkpoint's).
void check_checkpoint_fits(const std::string& ckpt, const TwoTowerModel& model,
                           const Features& features);

}  // namespace towerrec

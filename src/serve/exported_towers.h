// The towers of an export directory (serve/torchscript_export.h) loaded back through
// torch::jit::load, for the offline jobs (`embed`, `recommend --towers DIR`): raw feature rows in,
// L2-normalised vectors out, exactly what a Python serving stack computes from the same files.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace towerrec {

struct SparseRows;

class ExportedTowers {
 public:
  // Loads <dir>/towers.json, <dir>/user_tower.pt and <dir>/item_tower.pt and checks that they
  // belong together: each module is a towerrec tower of the right side whose feature count and dim
  // match towers.json, and one all-zero row runs through it to [1, dim]. Throws
  //   IoError      when a file is missing or unreadable,
  //   InputError   for a malformed towers.json ("<dir>/towers.json:0: key: expected ..., found
  //   ..."), FormatError  for a truncated or foreign .pt ("<file>: byte 0: expected a TorchScript
  //   ...")
  //                or one that disagrees with towers.json.
  static ExportedTowers load(const std::string& dir);

  ~ExportedTowers();
  ExportedTowers(ExportedTowers&&) noexcept;
  ExportedTowers& operator=(ExportedTowers&&) noexcept;
  ExportedTowers(const ExportedTowers&) = delete;
  ExportedTowers& operator=(const ExportedTowers&) = delete;

  // raw: [rows, cols] row-major RAW (unscaled) features in user_features() (resp. item_features())
  // order -> [rows, dim()] row-major, each row of L2 norm 1. Runs in blocks, so memory stays
  // bounded for a large catalogue. Throws Error when cols differs from the tower's feature count or
  // an input is NaN or infinite (naming row and column). rows == 0 returns an empty vector. Safe to
  // call from several threads at once (inference does not change the modules). A user tower with a
  // watched-items bag (user_bag() > 0) also takes row bag_row + r of `bag` for row r (null: every
  // bag empty).
  std::vector<float> embed_users(const float* raw, int64_t rows, int64_t cols,
                                 const SparseRows* bag = nullptr, int64_t bag_row = 0) const;
  std::vector<float> embed_items(const float* raw, int64_t rows, int64_t cols,
                                 const SparseRows* bag = nullptr, int64_t bag_row = 0) const;

  const std::vector<std::string>& user_features() const;
  const std::vector<std::string>& item_features() const;
  int64_t dim() const;
  int64_t user_bag() const;  // watched-items vocabulary size of the user tower; 0 without a bag
  int64_t item_bag() const;  // item-id vocabulary size of the item tower; 0 without
  double target_min() const;
  double target_max() const;
  // A dot product of a user and an item vector ([-1, 1] in the scaled target units) in stars:
  // (dot + 1) / 2 * (max - min) + min.
  double to_stars(double dot) const;
  // The whole towers.json (run, imputed values, global mean, ...).
  const nlohmann::json& info() const;
  const std::string& dir() const;

 private:
  struct Impl;
  explicit ExportedTowers(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace towerrec

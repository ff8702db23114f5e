// AliasTable: O(1) draws from a fixed discrete distribution (Vose's alias method). Built once in
// O(n) from non-negative weights; 12 bytes per outcome. Draws use core/rng.h, so they are
// reproducible across standard libraries. Immutable after construction, so one table may be shared
// by threads (each with its own Rng).
#pragma once

#include <cstdint>
#include <vector>

#include "core/rng.h"

namespace towerrec {

class AliasTable {
 public:
  AliasTable() = default;
  // weights: at least one > 0, none negative or NaN (checked: a broken invariant aborts).
  explicit AliasTable(const std::vector<double>& weights);

  size_t size() const { return prob_.size(); }
  // An index in [0, size()) drawn with probability weights[i] / sum(weights).
  uint32_t sample(Rng& rng) const {
    const uint32_t i = static_cast<uint32_t>(rng.below(prob_.size()));
    return rng.uniform() < prob_[i] ? i : alias_[i];
  }

 private:
  std::vector<double> prob_;  // chance of keeping column i rather than taking alias_[i]
  std::vector<uint32_t> alias_;
};

}  // namespace towerrec

// The nearest items of seed items (a user's recent items, serve/candidate_generators.h) for
// retrieval (serve/retrieval.h), searched once per seed for the whole run: seeds repeat across
// users, popular items are everybody's recent items. Memory: items * m int32, allocated on
// construction.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/item_search.h"

namespace towerrec {

class CandidateGenerators;

class SeedNeighbors {
 public:
  // `items` [n, dim] (borrowed; must outlive this), `search` over the same items, `m` neighbours
  // per seed (m >= 1).
  SeedNeighbors(MatrixRef items, std::shared_ptr<const ItemSearch> search, int64_t m);

  // Searches the neighbours of the recent items of `users` not searched yet (each seed's own
  // vector is the query, the seed itself excluded). Returns how many seeds it searched.
  int64_t add_seeds_of(const std::vector<int32_t>& users, const CandidateGenerators& generators);

  // Appends the neighbours of `seed` (added before) to `out`.
  void append(int32_t seed, std::vector<int32_t>& out) const {
    const int32_t* nn = items_.data() + static_cast<int64_t>(seed) * m_;
    for (int64_t j = 0; j < m_; ++j)
      if (nn[j] >= 0) out.push_back(nn[j]);
  }

 private:
  MatrixRef vectors_;
  std::shared_ptr<const ItemSearch> search_;
  int64_t m_;
  std::vector<int32_t> items_;  // [items, m] item rows, -1 padded
  std::vector<uint8_t> done_;   // rows filled
};

}  // namespace towerrec

// The items each user rated in a run's training split, as sorted per-user lists: the "exclude seen"
// filter of recommend (exact and retrieval) in the CSR form ExactTopK takes.
#pragma once

#include <cstdint>
#include <vector>

#include "data/user_items.h"

namespace towerrec {

struct RunData;

class SeenItems {
 public:
  // empty = true: nobody has seen anything (serve.exclude_seen: false).
  SeenItems(const RunData& run, bool enabled);

  // Appends the CSR exclusions of `users` (dense rows) to offsets/items, offsets starting at 0:
  // offsets gets users.size() + 1 entries; each user's items ascending.
  void csr(const int32_t* users, int64_t n, std::vector<int64_t>& offsets,
           std::vector<int64_t>& items) const;
  bool contains(int32_t user, int32_t item) const;
  // The user's seen items, ascending.
  const int32_t* begin(int32_t user) const;
  const int32_t* end(int32_t user) const;

 private:
  bool enabled_;
  UserItems items_;
};

}  // namespace towerrec

// The items each user rated within a set of rating rows, grouped by user (compressed rows): the
// "seen in training" filter and the per-user test sets of ranking evaluation.
#pragma once

#include <cstdint>
#include <vector>

namespace towerrec {

struct Dataset;

struct UserItems {
  std::vector<int64_t> offset;  // [num_users + 1]; user u's entries are [offset[u], offset[u + 1])
  std::vector<int32_t> item;    // item indices, ascending within a user
  std::vector<float> value;     // the ratings, parallel to `item`

  // Precondition: every row < data.ratings.size() (checked).
  static UserItems from_rows(const Dataset& data, const std::vector<uint32_t>& rows);
  int32_t num_users() const { return static_cast<int32_t>(offset.size()) - 1; }
  int64_t count(int32_t u) const { return offset[u + 1] - offset[u]; }
};

}  // namespace towerrec

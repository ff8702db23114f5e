#include "data/dataset.h"

namespace towerrec {

int32_t IdMap::add(int64_t id) {
  auto [it, inserted] = index_.emplace(id, static_cast<int32_t>(ids_.size()));
  if (inserted) ids_.push_back(id);
  return it->second;
}

Ratings Ratings::subset(const std::vector<uint32_t>& rows) const {
  Ratings out;
  out.reserve(rows.size());
  for (uint32_t r : rows) out.push_back(user[r], item[r], value[r], timestamp[r]);
  return out;
}

}  // namespace towerrec

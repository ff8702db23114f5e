#include "serve/seen_items.h"

#include <algorithm>

#include "run/run_data.h"

namespace towerrec {

SeenItems::SeenItems(const RunData& run, bool enabled) : enabled_(enabled) {
  items_ = UserItems::from_rows(run.data, enabled ? run.train_rows : std::vector<uint32_t>{});
}

void SeenItems::csr(const int32_t* users, int64_t n, std::vector<int64_t>& offsets,
                    std::vector<int64_t>& items) const {
  offsets.assign(1, 0);
  items.clear();
  for (int64_t r = 0; r < n; ++r) {
    items.insert(items.end(), begin(users[r]), end(users[r]));
    offsets.push_back(static_cast<int64_t>(items.size()));
  }
}

bool SeenItems::contains(int32_t user, int32_t item) const {
  return std::binary_search(begin(user), end(user), item);
}

const int32_t* SeenItems::begin(int32_t user) const {
  return items_.item.data() + items_.offset[static_cast<size_t>(user)];
}
const int32_t* SeenItems::end(int32_t user) const {
  return items_.item.data() + items_.offset[static_cast<size_t>(user) + 1];
}

}  // namespace towerrec

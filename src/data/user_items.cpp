#include "data/user_items.h"

#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "data/dataset.h"

namespace towerrec {

UserItems UserItems::from_rows(const Dataset& data, const std::vector<uint32_t>& rows) {
  const Ratings& r = data.ratings;
  UserItems ui;
  ui.offset.assign(static_cast<size_t>(data.num_users()) + 1, 0);
  for (uint32_t row : rows) {
    TOWERREC_CHECK(row < r.size());
    ++ui.offset[r.user[row] + 1];
  }
  std::partial_sum(ui.offset.begin(), ui.offset.end(), ui.offset.begin());
  ui.item.resize(rows.size());
  ui.value.resize(rows.size());
  std::vector<int64_t> next(ui.offset.begin(), ui.offset.end() - 1);
  for (uint32_t row : rows) {
    const int64_t at = next[r.user[row]]++;
    ui.item[at] = r.item[row];
    ui.value[at] = r.value[row];
  }
  // Sort each user's (item, value) pairs by item so membership is a binary search.
  std::vector<std::pair<int32_t, float>> buf;
  for (int32_t u = 0; u < ui.num_users(); ++u) {
    const int64_t b = ui.offset[u], e = ui.offset[u + 1];
    if (std::is_sorted(ui.item.begin() + b, ui.item.begin() + e)) continue;
    buf.clear();
    for (int64_t k = b; k < e; ++k) buf.emplace_back(ui.item[k], ui.value[k]);
    std::sort(buf.begin(), buf.end());
    for (int64_t k = b; k < e; ++k) std::tie(ui.item[k], ui.value[k]) = buf[k - b];
  }
  return ui;
}

}  // namespace towerrec

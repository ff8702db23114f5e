#include "data/duplicate_ratings.h"

#include <limits>
#include <vector>

#include "core/error.h"
#include "data/dataset.h"

namespace towerrec {

void resolve_duplicates(Dataset& data, DuplicatePolicy policy, const RatingsSource& source) {
  Ratings& r = data.ratings;
  const size_t n = r.size();
  if (n == 0) return;
  const bool keep_last = policy == DuplicatePolicy::kLast;

  // Visit each user's rows in file order. Most files are grouped by user, so the rows of a user are
  // already contiguous; otherwise a counting sort by user builds that order (4 bytes per rating).
  bool grouped = true;
  for (size_t i = 1; i < n && grouped; ++i) grouped = r.user[i] >= r.user[i - 1];
  std::vector<uint32_t> order;
  std::vector<size_t> start;
  const size_t num_users = static_cast<size_t>(data.users.size());
  if (!grouped) {
    start.assign(num_users + 1, 0);
    for (size_t i = 0; i < n; ++i) ++start[static_cast<size_t>(r.user[i]) + 1];
    for (size_t u = 0; u < num_users; ++u) start[u + 1] += start[u];
    order.resize(n);
    std::vector<size_t> fill(start.begin(), start.end() - 1);
    for (size_t i = 0; i < n; ++i) order[fill[r.user[i]]++] = static_cast<uint32_t>(i);
  }
  auto row_at = [&](size_t k) { return grouped ? k : order[k]; };

  // stamp[item] = 1 + the user whose rows are being scanned when the item was last seen; kept[item]
  // = the row currently kept for it.
  std::vector<int32_t> stamp(static_cast<size_t>(data.items.size()), 0);
  std::vector<uint32_t> kept(static_cast<size_t>(data.items.size()), 0);
  std::vector<bool> drop;
  size_t dropped = 0;
  size_t worst_later = std::numeric_limits<size_t>::max(), worst_earlier = 0;
  size_t k = 0;
  while (k < n) {
    const int32_t u = r.user[row_at(k)];
    const size_t seg_end = grouped ? [&] {
      size_t e = k;
      while (e < n && r.user[e] == u) ++e;
      return e;
    }()
                                   : start[static_cast<size_t>(u) + 1];
    for (; k < seg_end; ++k) {
      const size_t row = row_at(k);
      const int32_t item = r.item[row];
      if (stamp[item] != u + 1) {
        stamp[item] = u + 1;
        kept[item] = static_cast<uint32_t>(row);
        continue;
      }
      const size_t prev = kept[item];  // earlier line: rows of a user are visited in file order
      if (!keep_last) {
        if (row < worst_later) {
          worst_later = row;
          worst_earlier = prev;
        }
        continue;
      }
      if (drop.empty()) drop.assign(n, false);
      ++dropped;
      if (r.timestamp[row] >= r.timestamp[prev]) {
        drop[prev] = true;
        kept[item] = static_cast<uint32_t>(row);
      } else {
        drop[row] = true;
      }
    }
  }
  if (!keep_last && worst_later != std::numeric_limits<size_t>::max()) {
    throw InputError(source.path, source.first_line + static_cast<int64_t>(worst_later),
                     "duplicate rating: " + source.user_field + " " +
                         std::to_string(data.users.id(r.user[worst_later])) + " already rated " +
                         source.item_field + " " +
                         std::to_string(data.items.id(r.item[worst_later])) + " at line " +
                         std::to_string(source.first_line + static_cast<int64_t>(worst_earlier)) +
                         " (data.duplicates is \"error\"; set it to \"last\" to keep the latest)");
  }
  if (dropped == 0) return;
  size_t w = 0;
  for (size_t i = 0; i < n; ++i) {
    if (drop[i]) continue;
    r.user[w] = r.user[i];
    r.item[w] = r.item[i];
    r.value[w] = r.value[i];
    r.timestamp[w] = r.timestamp[i];
    ++w;
  }
  r.user.resize(w);
  r.item.resize(w);
  r.value.resize(w);
  r.timestamp.resize(w);
  data.duplicates_dropped += static_cast<int64_t>(dropped);
}

}  // namespace towerrec

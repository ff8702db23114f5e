#include "serve/vector_groups.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <string>

#include "core/byte_cursor.h"
#include "core/error.h"

namespace towerrec {

VectorGroups VectorGroups::group(MatrixRef vectors) {
  const int64_t n = vectors.rows;
  const size_t row_bytes = static_cast<size_t>(vectors.cols) * sizeof(float);
  std::vector<uint64_t> hash(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    // Only a bucket key: equality is decided by memcmp below.
    hash[static_cast<size_t>(i)] = fnv1a(reinterpret_cast<const char*>(vectors.row(i)), row_bytes);
  // Rows by (hash, index): equal vectors sit in one run, in ascending index order.
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    const uint64_t ha = hash[static_cast<size_t>(a)], hb = hash[static_cast<size_t>(b)];
    return ha != hb ? ha < hb : a < b;
  });

  // Within a run of equal hashes, a row joins the first earlier row of the run with the same bytes
  // (a collision makes a run hold several groups). Provisional label: the lowest member's index.
  std::vector<int64_t> lowest(static_cast<size_t>(n), -1);
  std::vector<int64_t> run_reps;
  for (size_t s = 0; s < order.size();) {
    const uint64_t h = hash[static_cast<size_t>(order[s])];
    size_t e = s;
    run_reps.clear();
    for (; e < order.size() && hash[static_cast<size_t>(order[e])] == h; ++e) {
      const int64_t row = order[e];
      int64_t label = -1;
      for (int64_t rep : run_reps)
        if (std::memcmp(vectors.row(rep), vectors.row(row), row_bytes) == 0) {
          label = rep;
          break;
        }
      if (label < 0) {
        label = row;  // a run lists rows in ascending order, so a group's first row is its lowest
        run_reps.push_back(row);
      }
      lowest[static_cast<size_t>(row)] = label;
    }
    s = e;
  }

  // Number the groups by their lowest member; members fill in ascending order.
  VectorGroups g;
  g.group_of_.assign(static_cast<size_t>(n), -1);
  std::vector<int64_t> count;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t low = lowest[static_cast<size_t>(i)];
    if (low == i) {
      g.group_of_[static_cast<size_t>(i)] = static_cast<int64_t>(count.size());
      count.push_back(0);
    } else {
      g.group_of_[static_cast<size_t>(i)] = g.group_of_[static_cast<size_t>(low)];
    }
    ++count[static_cast<size_t>(g.group_of_[static_cast<size_t>(i)])];
  }
  g.offsets_.assign(count.size() + 1, 0);
  for (size_t j = 0; j < count.size(); ++j) g.offsets_[j + 1] = g.offsets_[j] + count[j];
  g.members_.resize(static_cast<size_t>(n));
  std::vector<int64_t> fill(g.offsets_.begin(), g.offsets_.end() - 1);
  for (int64_t i = 0; i < n; ++i)
    g.members_[static_cast<size_t>(
        fill[static_cast<size_t>(g.group_of_[static_cast<size_t>(i)])]++)] = i;
  return g;
}

VectorGroups VectorGroups::from_group_of(std::vector<int64_t> group_of, int64_t groups) {
  VectorGroups g;
  g.offsets_.assign(static_cast<size_t>(std::max<int64_t>(groups, 0)) + 1, 0);
  int64_t next_new = 0;  // groups numbered by lowest member: first sightings come as 0, 1, 2, ...
  for (size_t i = 0; i < group_of.size(); ++i) {
    const int64_t id = group_of[i];
    if (id < 0 || id >= groups)
      throw Error("row " + std::to_string(i) + ": expected a group id in [0, " +
                  std::to_string(groups) + "), found " + std::to_string(id));
    if (id > next_new)
      throw Error("row " + std::to_string(i) + ": expected group " + std::to_string(next_new) +
                  " or lower (groups are numbered by their lowest row), found " +
                  std::to_string(id));
    if (id == next_new) ++next_new;
    ++g.offsets_[static_cast<size_t>(id) + 1];
  }
  if (next_new != groups)
    throw Error("expected " + std::to_string(groups) + " groups, found members for " +
                std::to_string(next_new));
  for (size_t j = 1; j < g.offsets_.size(); ++j) g.offsets_[j] += g.offsets_[j - 1];
  g.members_.resize(group_of.size());
  std::vector<int64_t> fill(g.offsets_.begin(), g.offsets_.end() - 1);
  for (size_t i = 0; i < group_of.size(); ++i)
    g.members_[static_cast<size_t>(fill[static_cast<size_t>(group_of[i])]++)] =
        static_cast<int64_t>(i);
  g.group_of_ = std::move(group_of);
  return g;
}

int64_t VectorGroups::memory_bytes() const {
  return static_cast<int64_t>((group_of_.capacity() + offsets_.capacity() + members_.capacity()) *
                              sizeof(int64_t));
}

}  // namespace towerrec

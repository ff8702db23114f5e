// Groups the rows of a vector matrix that are bit-for-bit identical. Trained catalogues hold many
// identical item vectors (unrated items with equal features get equal tower outputs: the 1M-item
// synthetic catalogue has ~339k distinct rows), and an HNSW graph over exact duplicates degrades —
// each copy's neighbour lists fill up with its twins at distance 0 and the graph stops routing. The
// ANN index (serve/ann_index.h) therefore indexes one representative per group and expands a hit to
// the group's members.
//
// Tie order: members of a group score exactly the same for any query, and the exact top-K breaks
// such ties by lower item index (core/exact_topk.h). Members are kept in ascending index order,
// and groups are numbered by their lowest member, so expanding hits in member order reproduces the
// exact order of tied items.
//
// Equality is on the float bytes, so 0.0 and -0.0 (or two NaNs with different payloads) fall into
// different groups: grouping never merges vectors that could score differently.
#pragma once

#include <cstdint>
#include <vector>

#include "core/exact_topk.h"

namespace towerrec {

class VectorGroups {
 public:
  VectorGroups() = default;
  // Groups the rows of `vectors` ([n, dim]); O(n * dim) to hash plus O(n log n) to sort.
  static VectorGroups group(MatrixRef vectors);
  // Rebuilds the groups from a group id per row (as group_of() returns them), e.g. when loading a
  // saved index. Throws Error when an id is outside [0, groups) or a group has no member, or when
  // groups are not numbered by their lowest member (the tie order depends on it).
  static VectorGroups from_group_of(std::vector<int64_t> group_of, int64_t groups);

  int64_t rows() const { return static_cast<int64_t>(group_of_.size()); }
  int64_t groups() const { return static_cast<int64_t>(offsets_.size()) - 1; }
  // Group of row `row`, in [0, groups()).
  int64_t group_of(int64_t row) const { return group_of_[static_cast<size_t>(row)]; }
  const std::vector<int64_t>& group_of() const { return group_of_; }
  // Members of group g, ascending: [members_begin(g), members_end(g)). The first is the
  // representative (the row whose vector is indexed).
  const int64_t* members_begin(int64_t g) const {
    return members_.data() + offsets_[static_cast<size_t>(g)];
  }
  const int64_t* members_end(int64_t g) const {
    return members_.data() + offsets_[static_cast<size_t>(g) + 1];
  }
  int64_t representative(int64_t g) const { return *members_begin(g); }
  int64_t size(int64_t g) const {
    return offsets_[static_cast<size_t>(g) + 1] - offsets_[static_cast<size_t>(g)];
  }
  // Bytes held by the three arrays.
  int64_t memory_bytes() const;

 private:
  std::vector<int64_t> group_of_;  // [rows]
  std::vector<int64_t> offsets_;   // [groups + 1], CSR into members_
  std::vector<int64_t> members_;   // [rows], ascending within each group
};

}  // namespace towerrec

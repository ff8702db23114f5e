// A sparse row-major matrix in CSR form: the hand-off of bag-of-items features (watched items)
// from feature engineering to the user tower, which sums first-layer weight rows over a row's
// entries instead of multiplying a mostly-zero dense row (train/ and serve/ read it as is).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace towerrec {

struct SparseRows {
  int64_t rows = 0;
  int64_t cols = 0;                 // vocabulary size: every index is in [0, cols)
  std::vector<int64_t> offsets{0};  // [rows + 1]: row r holds entries [offsets[r], offsets[r+1])
  std::vector<int32_t> index;       // column of each entry, ascending within a row
  std::vector<float> value;         // weight of each entry

  bool empty() const { return cols == 0; }
  int64_t begin(int64_t r) const { return offsets[static_cast<size_t>(r)]; }
  int64_t end(int64_t r) const { return offsets[static_cast<size_t>(r) + 1]; }
  int64_t nnz() const { return static_cast<int64_t>(index.size()); }
  // Rows rows[0..n) of this matrix, in that order.
  SparseRows subset(const int32_t* rows_wanted, int64_t n) const {
    SparseRows out;
    out.cols = cols;
    out.rows = n;
    for (int64_t k = 0; k < n; ++k) {
      const int64_t r = rows_wanted[k];
      out.index.insert(out.index.end(), index.begin() + begin(r), index.begin() + end(r));
      out.value.insert(out.value.end(), value.begin() + begin(r), value.begin() + end(r));
      out.offsets.push_back(out.nnz());
    }
    return out;
  }
  // Appends the rows of `other` (same cols) after this one's.
  void append(const SparseRows& other) {
    const int64_t base = nnz();
    for (int64_t r = 0; r < other.rows; ++r) offsets.push_back(base + other.end(r));
    index.insert(index.end(), other.index.begin(), other.index.end());
    value.insert(value.end(), other.value.begin(), other.value.end());
    rows += other.rows;
  }
};

}  // namespace towerrec

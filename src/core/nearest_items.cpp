#include "core/nearest_items.h"

#include <algorithm>
#include <limits>
#include <string>

#include "core/error.h"

namespace towerrec {
namespace {

// Queries are augmented slice by slice, so memory stays bounded for search_all() on a million
// items.
constexpr int64_t kNearestSlice = 65536;

}  // namespace

NearestItems::NearestItems(MatrixRef vectors, TopKOptions options)
    : n_(vectors.rows), dim_(vectors.cols), options_(options) {
  if (dim_ < 1)
    throw Error("nearest items: expected a dimension >= 1, got " + std::to_string(dim_));
  const int64_t w = dim_ + 1;
  augmented_.resize(static_cast<size_t>(n_ * w));
  for (int64_t j = 0; j < n_; ++j) {
    const float* v = vectors.row(j);
    float* a = augmented_.data() + j * w;
    double norm2 = 0;
    for (int64_t d = 0; d < dim_; ++d) {
      a[d] = v[d];
      norm2 += double(v[d]) * v[d];
    }
    a[dim_] = static_cast<float>(norm2);
  }
}

void NearestItems::search(const std::vector<int64_t>& of, const NeighborCallback& on_block) const {
  for (size_t i = 0; i < of.size(); ++i)
    if (of[i] < 0 || of[i] >= n_)
      throw Error("nearest items: item " + std::to_string(i) + ": expected an index in [0, " +
                  std::to_string(n_) + "), got " + std::to_string(of[i]));
  const int64_t w = dim_ + 1;
  const ExactTopK topk({augmented_.data(), n_, w}, options_);
  const int64_t total = static_cast<int64_t>(of.size());
  std::vector<float> queries;
  std::vector<int64_t> offsets, excluded;
  std::vector<float> dist;
  for (int64_t s0 = 0; s0 < total; s0 += kNearestSlice) {
    const int64_t ns = std::min(kNearestSlice, total - s0);
    queries.resize(static_cast<size_t>(ns * w));
    offsets.resize(static_cast<size_t>(ns + 1));
    excluded.resize(static_cast<size_t>(ns));
    for (int64_t r = 0; r < ns; ++r) {
      const int64_t i = of[static_cast<size_t>(s0 + r)];
      const float* a = augmented_.data() + i * w;
      float* q = queries.data() + r * w;
      for (int64_t d = 0; d < dim_; ++d) q[d] = 2.0f * a[d];  // exact: doubling is a power of two
      q[dim_] = -1.0f;
      offsets[static_cast<size_t>(r)] = r;
      excluded[static_cast<size_t>(r)] = i;  // never the item itself
    }
    offsets[static_cast<size_t>(ns)] = ns;
    topk.search({queries.data(), ns, w}, {offsets.data(), excluded.data()},
                [&](const TopKBlock& b) {
                  dist.resize(static_cast<size_t>(b.count * b.k));
                  for (int64_t r = 0; r < b.count; ++r) {
                    const float* vi =
                        augmented_.data() + of[static_cast<size_t>(s0 + b.first_query + r)] * w;
                    for (int64_t j = 0; j < b.k; ++j) {
                      const int64_t item = b.items[r * b.k + j];
                      float& out = dist[static_cast<size_t>(r * b.k + j)];
                      if (item < 0) {
                        out = std::numeric_limits<float>::infinity();
                        continue;
                      }
                      const float* vj = augmented_.data() + item * w;
                      double s = 0;
                      for (int64_t d = 0; d < dim_; ++d) {
                        const double diff = double(vj[d]) - vi[d];
                        s += diff * diff;
                      }
                      out = static_cast<float>(s);
                    }
                  }
                  NeighborBlock nb;
                  nb.first = s0 + b.first_query;
                  nb.count = b.count;
                  nb.k = b.k;
                  nb.items = b.items;
                  nb.distances = dist.data();
                  nb.found = b.found;
                  on_block(nb);
                });
  }
}

NeighborResult NearestItems::search(const std::vector<int64_t>& of) const {
  NeighborResult out;
  out.rows = static_cast<int64_t>(of.size());
  out.k = options_.k;
  out.items.resize(static_cast<size_t>(out.rows * out.k));
  out.distances.resize(out.items.size());
  out.found.resize(static_cast<size_t>(out.rows));
  search(of, [&](const NeighborBlock& b) {
    std::copy(b.items, b.items + b.count * b.k, out.items.begin() + b.first * b.k);
    std::copy(b.distances, b.distances + b.count * b.k, out.distances.begin() + b.first * b.k);
    std::copy(b.found, b.found + b.count, out.found.begin() + b.first);
  });
  return out;
}

NeighborResult NearestItems::search_all() const {
  std::vector<int64_t> all(static_cast<size_t>(n_));
  for (int64_t i = 0; i < n_; ++i) all[static_cast<size_t>(i)] = i;
  return search(all);
}

TopKResult NearestItems::search(MatrixRef queries, int64_t k, ExclusionsRef exclusions) const {
  if (queries.rows > 0 && queries.cols != dim_)
    throw Error("nearest items: queries: expected dimension " + std::to_string(dim_) + ", got " +
                std::to_string(queries.cols));
  TopKOptions o = options_;
  o.k = k;
  const int64_t w = dim_ + 1;
  const ExactTopK topk({augmented_.data(), n_, w}, o);
  TopKResult out = TopKResult::padded(queries.rows, k);
  std::vector<float> augmented_queries;
  std::vector<int64_t> offsets;
  for (int64_t s0 = 0; s0 < queries.rows; s0 += kNearestSlice) {
    const int64_t ns = std::min(kNearestSlice, queries.rows - s0);
    augmented_queries.resize(static_cast<size_t>(ns * w));
    for (int64_t r = 0; r < ns; ++r) {
      const float* v = queries.row(s0 + r);
      float* q = augmented_queries.data() + r * w;
      for (int64_t d = 0; d < dim_; ++d) q[d] = 2.0f * v[d];  // exact: doubling is a power of two
      q[dim_] = -1.0f;
    }
    ExclusionsRef slice_ex;  // this slice's lists, offsets rebased to 0
    if (exclusions.offsets) {
      offsets.resize(static_cast<size_t>(ns + 1));
      for (int64_t r = 0; r <= ns; ++r)
        offsets[static_cast<size_t>(r)] = exclusions.offsets[s0 + r] - exclusions.offsets[s0];
      slice_ex = {offsets.data(), exclusions.items + exclusions.offsets[s0]};
    }
    topk.search({augmented_queries.data(), ns, w}, slice_ex, [&](const TopKBlock& b) {
      for (int64_t r = 0; r < b.count; ++r) {
        const int64_t row = s0 + b.first_query + r;
        const float* vi = queries.row(row);
        for (int64_t j = 0; j < b.found[r]; ++j) {
          const int64_t item = b.items[r * b.k + j];
          const float* vj = augmented_.data() + item * w;
          double s = 0;
          for (int64_t d = 0; d < dim_; ++d) {
            const double diff = double(vj[d]) - vi[d];
            s += diff * diff;
          }
          out.items[static_cast<size_t>(row * k + j)] = item;
          out.scores[static_cast<size_t>(row * k + j)] = -static_cast<float>(s);
        }
        out.found[static_cast<size_t>(row)] = b.found[r];
      }
    });
  }
  return out;
}

}  // namespace towerrec

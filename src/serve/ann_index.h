// Approximate top-K by inner product over item vectors: an HNSW graph from Debian's hnswlib (0.6.2,
// inner-product space) — we wrap it, we do not implement ANN ourselves. For L2-normalised vectors
// the inner product is the cosine, so this also serves "similar items".
//
// Duplicates: the graph holds each distinct vector once (serve/vector_groups.h). Trained catalogues
// are full of bit-identical item vectors, and HNSW over exact duplicates loses recall (twins fill
// each other's link lists at distance 0). A hit expands to every item sharing the vector, in
// ascending item index, so tied items come out in the exact top-K's order (core/exact_topk.h:
// equal scores rank the lower index first) and recall by item id against exact search is
// well-defined.
//
// Exclusions (seen items, a global list) are applied by over-fetching candidates and filtering:
// hnswlib 0.6.2 has no search-time filter. When filtering leaves fewer than k, the search is
// repeated with twice the candidates, so a query gets min(k, allowed items) results whenever the
// graph reaches them.
//
// Files: save(path) writes `path` in hnswlib's own format (loadable by the hnswlib Python package;
// its labels are group ids), `path.groups.npy` (int64 [count]: each item's group, groups numbered
// by their lowest item) and `path.json` with the format name, version, dimension, count, distinct
// options and the items' fingerprint; load() verifies all three. All go through AtomicFile.
//
// Thread-safety: search() is const and may run concurrently; set_ef() must not overlap a search.
// Builds with threads > 1 insert in a non-deterministic order (the graph, not its quality, varies);
// threads = 1 gives the same graph for the same seed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "config/options.h"
#include "core/item_search.h"
#include "core/progress.h"

namespace towerrec {

class AnnIndex : public ItemSearch {
 public:
  // Builds over `items` ([n, dim]; distinct rows copied into the graph). Throws Error on n < 1 or
  // dim < 1. `progress` (optional) is called from the calling thread every few thousand inserted
  // vectors.
  static AnnIndex build(MatrixRef items, const AnnOptions& options,
                        const ProgressFn& progress = {});
  // Loads `path` + `path.json`; throws IoError when missing and FormatError when foreign, truncated
  // or inconsistent. ef_search comes from the saved options.
  static AnnIndex load(const std::string& path);

  AnnIndex(AnnIndex&&) noexcept;
  AnnIndex& operator=(AnnIndex&&) noexcept;
  ~AnnIndex();

  void save(const std::string& path) const;

  // Top-k items by (approximate) inner product for each query ([n, dim]); exclusions as for
  // ExactTopK::search (CSR per query, sorted) plus `global_exclusions` (sorted ascending). Results
  // have the TopKResult layout: score descending, ties by lower index, padded with -1 / -infinity.
  // Items sharing a vector are all candidates once the vector is found, so a query whose top
  // vector is shared by more than k items gets that vector's k lowest allowed items.
  // `threads` parallelises over queries.
  TopKResult search(MatrixRef queries, int64_t k, ExclusionsRef exclusions,
                    const std::vector<int64_t>& global_exclusions, int64_t threads = 1) const;

  // ItemSearch: search(queries, k, exclusions, {}, search_threads()).
  TopKResult search(MatrixRef queries, int64_t k, ExclusionsRef exclusions = {}) const override;
  // Threads the ItemSearch form spreads its queries over (default 1; results do not depend on it).
  // Like set_ef, must not overlap a search.
  void set_search_threads(int64_t threads);
  int64_t search_threads() const;

  // Search-time candidate list size (hnswlib ef); at least k is used anyway.
  void set_ef(int64_t ef);
  int64_t ef() const;

  // Items (catalogue rows) and distinct vectors in the graph.
  int64_t size() const override;
  int64_t distinct() const;
  int64_t dim() const override;
  // FNV-1a over the float bytes of the item vectors it was built from (saved with the index), so a
  // saved index is never reused for other vectors of the same shape, e.g. after retraining a run.
  uint64_t items_fingerprint() const;
  static uint64_t fingerprint_of(MatrixRef items);
  const AnnOptions& options() const;
  // Bytes held by the graph and the vector copies (hnswlib's level-0 block and upper-level lists)
  // plus the item-to-group arrays.
  int64_t memory_bytes() const;

 private:
  struct Impl;
  explicit AnnIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace towerrec

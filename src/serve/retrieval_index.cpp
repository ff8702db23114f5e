#include "serve/retrieval_index.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "core/error.h"
#include "serve/ann_index.h"
#include "serve/item_search_factory.h"

namespace towerrec {
namespace {

bool seeds_from_index(const RetrievalOptions& ro) {
  return ro.last_n > 0 && ro.per_item_m > 0 && neighbors_from_index(ro);
}

// Loads `path`, checking it indexes exactly `items`.
AnnIndex load_matching_index(const std::string& path, MatrixRef items) {
  AnnIndex index = AnnIndex::load(path);
  if (index.size() != items.rows || index.dim() != items.cols)
    throw Error(path + ": an ANN index of " + std::to_string(index.size()) +
                " vectors of dimension " + std::to_string(index.dim()) +
                ", but the catalogue has " + std::to_string(items.rows) + " of dimension " +
                std::to_string(items.cols) + " (delete it to rebuild)");
  const uint64_t catalogue = AnnIndex::fingerprint_of(items);
  if (index.items_fingerprint() != catalogue)
    throw Error(path +
                ": an ANN index built from other item vectors than this "
                "catalogue's (items_fnv1a " +
                std::to_string(index.items_fingerprint()) + ", the catalogue's " +
                std::to_string(catalogue) + "; delete it to rebuild)");
  return index;
}

}  // namespace

bool retrieval_needs_index(const ServeOptions& options) {
  return options.retrieval.ann || seeds_from_index(options.retrieval);
}

RetrievalIndex load_or_build_retrieval_index(MatrixRef items, const ServeOptions& options,
                                             const std::string& index_path,
                                             const ProgressFn& progress) {
  const RetrievalOptions& ro = options.retrieval;
  RetrievalIndex out;
  RetrievalIndexReport& ji = out.report;
  const auto t0 = std::chrono::steady_clock::now();
  if (!index_path.empty() && std::filesystem::exists(index_path)) {
    out.index = std::make_shared<AnnIndex>(load_matching_index(index_path, items));
    ji.loaded = true;
  } else {
    out.index = std::make_shared<AnnIndex>(AnnIndex::build(items, options.ann, progress));
    if (!index_path.empty()) out.index->save(index_path);
    ji.loaded = false;
  }
  AnnIndex& index = *out.index;
  ji.distinct = index.distinct();
  ji.build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ji.memory_mb = static_cast<double>(index.memory_bytes()) / 1048576.0;
  ji.m = index.options().m;
  ji.ef_construction = index.options().ef_construction;
  // Each search must be able to return its k: the user's ann_candidates, a seed's per_item_m
  // neighbours plus the seed itself (only when those searches happen).
  const int64_t seed_k = seeds_from_index(ro) ? ro.per_item_m + 1 : 0;
  index.set_ef(
      std::max({options.ann.ef_search, ro.ann ? ro.ann_candidates : 0, seed_k, options.k}));
  index.set_search_threads(options.scoring_threads());
  ji.ef_search = index.ef();
  return out;
}

}  // namespace towerrec

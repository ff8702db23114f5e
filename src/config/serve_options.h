// serve.*: offline scoring, the ANN index and retrieval + ranking (see config/options.h for how
// options structs work).
#pragma once

#include <cstdint>
#include <string>

#include "config/field.h"
#include "config/option_enum.h"
#include "core/parallel.h"

namespace towerrec {

// Approximate nearest-neighbour index over item vectors (serve/ann_index.h, hnswlib HNSW graph in
// inner-product space, one node per distinct vector). Larger m / ef_construction: better recall,
// slower build, more memory; larger ef_search: better recall, slower queries.
// Defaults measured on the 1M-item synthetic catalogue (339k distinct trained vectors, dim 32,
// scripts/bench_score --pipeline, docs/ann.md): ef_construction 100 -> 200 lifts recall@10 at
// ef_search 64 from 0.92 to 0.95; m 32 gives the same recall for 30% more memory; ef_search 96
// gives recall@10 0.975 at 13.8x the exact top-10 throughput (64: 0.959 at 16.4x, 128: 0.983 at
// 12.6x).
struct AnnOptions {
  int64_t m = 16;                 // graph links per node (hnswlib M); memory ~ n * (dim + 2m) * 4 B
  int64_t ef_construction = 200;  // candidate list size while building
  int64_t ef_search = 96;         // candidate list size while searching (raised to k when smaller)
  int64_t threads = 1;            // build threads (queries parallelise over the caller's threads)
  double overfetch =
      2.0;              // with exclusions, fetch k * overfetch + excluded candidates, then filter
  uint64_t seed = 100;  // level-assignment seed (hnswlib random_seed)

  template <class V>
  void visit(V& v) {
    v.field("m", m, "HNSW links per node (hnswlib M)", Check::range(2, 256));
    v.field("ef_construction", ef_construction, "HNSW candidate list size while building",
            Check::ge(1));
    v.field("ef_search", ef_search, "HNSW candidate list size while searching", Check::ge(1));
    v.field("threads", threads, "threads used to build the index", Check::ge(1));
    v.field("overfetch", overfetch, "candidates fetched per wanted result when filtering",
            Check::range(1, 100));
    v.field("seed", seed, "HNSW level-assignment seed", Check::ge(0));
  }
};

// serve.retrieval.neighbors: where the nearest items of seed items come from (the ANN index or
// exact search by L2 distance; serve/item_search_factory.h).
enum class NeighborSource { kAnn, kExact };
template <>
struct EnumNames<NeighborSource> {
  static constexpr const char* kNames[] = {"ann", "exact"};
};

// Retrieval + ranking (`towerrec recommend --retrieval`, serve/retrieval.h): candidates from the
// course's generators and/or the ANN index, merged, deduplicated, seen and excluded items removed,
// then ranked by the towers' dot product. A generator with count 0 is off.
struct RetrievalOptions {
  int64_t last_n = 10;      // the user's last N rated training items (latest timestamp first)...
  int64_t per_item_m = 20;  // ...each contributing its M nearest items (by vector)
  NeighborSource neighbors = NeighborSource::kAnn;  // where those nearest items come from
  int64_t top_genres = 2;        // the user's most-rated genres (training ratings)...
  int64_t genre_top = 30;        // ...each contributing its most popular items
  int64_t popular = 30;          // most popular items overall (training rating count)
  int64_t segment_popular = 30;  // most popular items among users of the same segment
  std::string segment = "auto";  // demographic column defining segments ("auto": first categorical)
  bool ann = true;               // add the user vector's nearest items from the ANN index
  int64_t ann_candidates = 100;  // how many (hnswlib k; ef_search is raised to at least this)
  int64_t recall_users = 1000;   // users (evenly spaced) scored exactly too for recall@K; 0 = all

  template <class V>
  void visit(V& v) {
    v.field("last_n", last_n, "recent training items per user used as seeds (0 = off)",
            Check::ge(0));
    v.field("per_item_m", per_item_m, "nearest items per seed item", Check::ge(0));
    v.field("neighbors", neighbors,
            "nearest items of seed items from the ANN index or exact search");
    v.field("top_genres", top_genres, "most-rated genres per user (0 = off)", Check::ge(0));
    v.field("genre_top", genre_top, "most popular items per genre", Check::ge(0));
    v.field("popular", popular, "most popular items overall (0 = off)", Check::ge(0));
    v.field("segment_popular", segment_popular,
            "most popular items in the user's demographic segment (0 = off)", Check::ge(0));
    v.field("segment", segment,
            "categorical demographic column defining segments (auto: the first categorical one)");
    v.field("ann", ann, "add ANN-index candidates for the user vector");
    v.field("ann_candidates", ann_candidates, "ANN candidates per user", Check::ge(1));
    v.field("recall_users", recall_users,
            "users also scored exactly to report retrieval recall@K (0 = all)", Check::ge(0));
  }
};

// Offline scoring of whole catalogues: `embed`, `recommend`, `similar` (serve/exact_topk.h).
struct ServeOptions {
  int64_t k = 10;             // recommendations / related items per row
  int64_t threads = 0;        // scoring threads over query blocks; 0 = one per CPU (same results)
  int64_t query_block = 256;  // queries per scoring block (fixes the work split, not the results)
  int64_t item_chunk = 1024;  // items scored at a time (core/exact_topk.h); should fit in L2
  bool exclude_seen = true;   // never recommend items the user rated in training
  AnnOptions ann;
  RetrievalOptions retrieval;

  // The thread count `threads` stands for (0: one per CPU).
  int64_t scoring_threads() const { return resolve_threads(threads); }

  template <class V>
  void visit(V& v) {
    v.field("k", k, "results per user or item", Check::ge(1));
    v.field("threads", threads,
            "scoring threads (0: one per CPU, divided among torchrun's local ranks; the results "
            "do not depend on it)",
            Check::ge(0));
    v.field("query_block", query_block, "queries per scoring block", Check::range(1, 65536));
    v.field("item_chunk", item_chunk, "items per scoring chunk", Check::range(16, 1048576));
    v.field("exclude_seen", exclude_seen, "skip items the user rated in training");
    v.section("ann", ann, "approximate nearest-neighbour index (hnswlib)");
    v.section("retrieval", retrieval, "retrieval + ranking (recommend --retrieval)");
  }
};

}  // namespace towerrec

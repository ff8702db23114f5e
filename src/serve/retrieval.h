// `towerrec recommend --retrieval`: retrieval + ranking. For every requested user, candidates come
// from the course's generators (serve/candidate_generators.h: the M nearest items of each of the
// user's last N rated items, the top items of their most-rated genres, the most popular items
// overall and in their demographic segment) and/or an approximate nearest-neighbour index over the
// item vectors (serve/ann_index.h, hnswlib); they are merged, deduplicated, stripped of seen and
// excluded items, and ranked by the towers' dot product. Output: the same CSV as the exact
// recommender (serve/recommendation_csv.h).
//
// Quality: `recall_users` users (evenly spaced over the request; 0 = all) are also scored exactly
// (core/exact_topk.h, same exclusions), and recall@K is reported with the throughputs in the
// returned RetrievalReport (also written beside the CSV as JSON, see retrieval_report_path and
// serve/retrieval_report_json.h):
//   recall_at_k      tie-aware: retrieved items scoring at least the exact K-th score (within
//   1e-5),
//                    over the exact count. Identical item vectors are common (unrated items with
//                    equal features); the generators see only some of several tied items, and
//                    which of them the exact order keeps (the lower index) is a convention.
//   recall_at_k_ids  |retrieved ∩ exact| / |exact| by item id. The ANN index breaks ties the exact
//                    way (serve/ann_index.h), so for ANN-only retrieval this is the strict measure.
// Both are computed by serve/topk_recall.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config/options.h"
#include "core/progress.h"
#include "serve/exact_recommender.h"

namespace towerrec {

class VectorSource;

// The ANN index a retrieval used (RetrievalReport::index).
struct RetrievalIndexReport {
  bool loaded = false;       // read from index_path (false: built here)
  int64_t distinct = 0;      // distinct vectors indexed (identical item vectors share one)
  double build_seconds = 0;  // building or loading
  double memory_mb = 0;      // the index's memory
  int64_t m = 0;             // hnswlib M
  int64_t ef_construction = 0;
  int64_t ef_search = 0;  // as raised for this retrieval
};

// The candidate generators as configured for the run (RetrievalOptions; the off ones as 0).
struct RetrievalGenerators {
  int64_t last_n = 0;
  int64_t per_item_m = 0;
  NeighborSource neighbors = NeighborSource::kAnn;
  int64_t top_genres = 0;
  int64_t genre_top = 0;
  int64_t popular = 0;
  std::string segment;          // the segment column used ("" when none)
  int64_t segment_popular = 0;  // 0 without a segment column
  bool ann = false;
  int64_t ann_candidates = 0;  // 0 without ann
};

// What recommend_retrieval did and measured.
struct RetrievalReport {
  int64_t users = 0;  // requested users
  int64_t rows = 0;   // CSV rows written
  int64_t k = 0;
  double candidates_per_user = 0;  // after merging, deduplication and exclusions
  RetrievalGenerators generators;
  int64_t seed_items_searched = 0;        // seed items whose neighbours were searched
  int64_t recall_users = 0;               // users also scored exactly
  std::optional<double> recall_at_k;      // tie-aware; nullopt when no exact item
  std::optional<double> recall_at_k_ids;  // by item id
  double seconds = 0;                     // retrieval and ranking (not the exact recall pass)
  double users_per_s = 0;
  double exact_users_per_s = 0;  // the exact recall pass
  int64_t threads = 0;
  std::optional<RetrievalIndexReport> index;  // only when an ANN index was used
  double embed_seconds = 0;                   // embedding the catalogue
};

// recs.csv -> recs.retrieval.json (any other name: name + ".retrieval.json").
std::string retrieval_report_path(const std::string& out_csv);

// `index_path`: when it names an existing index (AnnIndex::save format) it is loaded instead of
// built (Error when its size or dimension differs from the catalogue's); when it names a missing
// file the built index is saved there; empty: build, keep in memory. Progress stages "build ANN
// index", "retrieve" (users) and "exact (recall)" (users). Returns the report it also writes to
// retrieval_report_path(out_csv).
RetrievalReport recommend_retrieval(const VectorSource& source, const ServeOptions& options,
                                    const RecommendRequest& request, const std::string& out_csv,
                                    const std::string& index_path = "",
                                    const ProgressFn& progress = {});

}  // namespace towerrec

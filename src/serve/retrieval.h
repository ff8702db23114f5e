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
// returned JSON (also written beside the CSV, see retrieval_report_path):
//   recall_at_k      tie-aware: retrieved items scoring at least the exact K-th score (within
//   1e-5),
//                    over the exact count. Identical item vectors are common (unrated items with
//                    equal features); the generators see only some of several tied items, and
//                    which of them the exact order keeps (the lower index) is a convention.
//   recall_at_k_ids  |retrieved ∩ exact| / |exact| by item id. The ANN index breaks ties the exact
//                    way (serve/ann_index.h), so for ANN-only retrieval this is the strict measure.
// Both are computed by serve/topk_recall.h.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "config/options.h"
#include "core/progress.h"
#include "serve/exact_recommender.h"

namespace towerrec {

class VectorSource;

// recs.csv -> recs.retrieval.json (any other name: name + ".retrieval.json").
std::string retrieval_report_path(const std::string& out_csv);

// `index_path`: when it names an existing index (AnnIndex::save format) it is loaded instead of
// built (Error when its size or dimension differs from the catalogue's); when it names a missing
// file the built index is saved there; empty: build, keep in memory. Progress stages "build ANN
// index", "retrieve" (users) and "exact (recall)" (users). Returns the report:
//   {"users", "rows", "k", "candidates_per_user", "generators": {...counts...}, "recall_at_k",
//    "recall_at_k_ids", "recall_users", "seed_items_searched", "seconds", "users_per_s",
//    "exact_users_per_s", "index": {"loaded", "distinct", "build_seconds", "memory_mb", "m",
//    "ef_construction", "ef_search"}, "embed_seconds"}
nlohmann::json recommend_retrieval(const VectorSource& source, const ServeOptions& options,
                                   const RecommendRequest& request, const std::string& out_csv,
                                   const std::string& index_path = "",
                                   const ProgressFn& progress = {});

}  // namespace towerrec

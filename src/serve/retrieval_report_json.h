// The retrieval report (serve/retrieval.h) as written beside the recommendations CSV:
//   {"users", "rows", "k", "candidates_per_user", "generators": {"last_n", "per_item_m",
//    "neighbors", "top_genres", "genre_top", "popular", "segment", "segment_popular", "ann",
//    "ann_candidates"}, "recall_at_k", "recall_at_k_ids" (null when nothing to recall),
//    "recall_users", "seed_items_searched", "seconds", "users_per_s", "exact_users_per_s",
//    "threads", ["index": {"loaded", "distinct", "build_seconds", "memory_mb", "m",
//    "ef_construction", "ef_search"}], "embed_seconds"}
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "serve/retrieval.h"

namespace towerrec {

nlohmann::json retrieval_report_json(const RetrievalReport& r);

}  // namespace towerrec

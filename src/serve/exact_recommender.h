// `towerrec recommend` (exact): for every requested user the top-K items of the whole catalogue by
// the towers' dot product, skipping the items the user rated in training (serve.exclude_seen) and a
// global exclusion list. Item vectors are computed once ([items, dim] floats held); users are
// embedded and scored in slices, and results stream to the CSV in user order, so memory does not
// grow with the number of users. Scoring is core/exact_topk.h (blocked GEMM + partial selection,
// serve.threads threads): the results are exactly those of a full sort (ties: lower item row
// first).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/options.h"
#include "core/progress.h"

namespace towerrec {

class VectorSource;

struct RecommendRequest {
  std::vector<int32_t> users;           // dense user rows, in output order; empty: every user
  std::vector<int32_t> excluded_items;  // dense item rows never recommended to anyone
  bool titles = false;  // add the catalogue's `title` column (serve/recommendation_csv.h)
};

struct RecommendSummary {
  int64_t users = 0;
  int64_t rows = 0;    // CSV rows written
  double seconds = 0;  // scoring and writing, item embedding excluded
  double embed_seconds = 0;
  double users_per_s = 0;
};

// Progress stage "recommend", unit "users".
RecommendSummary recommend_exact(const VectorSource& source, const ServeOptions& options,
                                 const RecommendRequest& request, const std::string& out_csv,
                                 const ProgressFn& progress = {});

// Every user when `users` is empty, else `users` itself.
std::vector<int32_t> requested_users(const VectorSource& source, const std::vector<int32_t>& users);

}  // namespace towerrec

// `recommend` and `similar` on a collaborative-filtering run (model.kind cf, learned or content
// item features): the run's users scored by the trained model, r̂(u, i) = w_u·x_i + b_u + μ_i
// (binary: the like probability), with recommend's exclusion rules (training items when
// serve.exclude_seen, the --exclude list); related items by the smallest ‖x_k − x_i‖² between the
// model's item features (the course's "find similar items"; for content regression, the content
// features). Same CSV formats as the towers' (serve/recommendation_csv.h, serve/related_items.h).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "config/options.h"
#include "core/progress.h"
#include "serve/cf_new_users.h"
#include "serve/exact_recommender.h"
#include "serve/related_items.h"

namespace towerrec {

// Every user when request.users is empty. Writes `out_csv` atomically.
RecommendSummary recommend_cf(const CfRun& cf, const ServeOptions& options,
                              const RecommendRequest& request, const std::string& out_csv,
                              const ProgressFn& progress = {});

// serve.k related items for each item of `of` (dense rows), in that order.
RelatedSummary related_cf_items(const CfRun& cf, const ServeOptions& options,
                                const std::vector<int32_t>& of, std::ostream& out,
                                const ProgressFn& progress = {});

}  // namespace towerrec

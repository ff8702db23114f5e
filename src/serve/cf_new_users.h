// `recommend --run CF_RUN --new-users FILE`: users a collaborative-filtering run never saw, folded
// into the trained model against its fixed item features (CfModel::fold_in_user: the same ridge
// solve training does per user — logistic for binary models), then scored over the whole catalogue
// with recommend's exclusion rules (their own rated items when serve.exclude_seen, and the global
// --exclude list). A user with no usable ratings gets w = 0, b = 0: the item offsets μ_i, i.e. the
// item-mean list under mean normalisation. Output: recommend's CSV (serve/recommendation_csv.h),
// score = the model's prediction (stars; binary: like probability).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cf/cf_model.h"
#include "config/options.h"
#include "core/progress.h"
#include "run/run_callbacks.h"
#include "run/run_data.h"

namespace towerrec {

struct NewUserRatings;

// A trained CF run: its data and features (load_run_data) and its model.cf.
struct CfRun {
  RunData run;
  CfModel model;
};

// Throws Error when `run_dir` is not a finished run of model.kind cf.
CfRun open_cf_run(const std::string& run_dir, const RunCallbacks& cb = {});

// One new user's recommendation list: dense item rows and scores, best first (ties: lower row).
struct NewUserList {
  int64_t user_id = 0;
  std::vector<int32_t> items;
  std::vector<float> scores;
};

struct NewUserSummary {
  int64_t users = 0;
  int64_t rows = 0;        // CSV rows written
  int64_t cold_users = 0;  // users with no usable ratings: given the item-offset (item-mean) list
  std::vector<NewUserList> lists;  // in the order of `users.ids`
};

// The k items of highest `score` (ties: lower row first), never an item with never[i] set or one in
// the ascending range [seen_begin, seen_end): recommend's exclusion rules for a CF model's scores.
std::vector<int32_t> top_scored_items(const std::vector<float>& score,
                                      const std::vector<char>& never, const int32_t* seen_begin,
                                      const int32_t* seen_end, int64_t k);

// Folds in and scores every user of `users`, writing the CSV to `out_csv` atomically (nothing is
// written when this throws). `excluded_items`: dense item rows never recommended.
NewUserSummary recommend_new_users(const CfRun& cf, const NewUserRatings& users,
                                   const ServeOptions& options,
                                   const std::vector<int32_t>& excluded_items,
                                   const std::string& out_csv, const ProgressFn& progress = {});

}  // namespace towerrec

// `recommend --run LAB_RUN --new-users FILE --retrain`: the course lab's closing exercise as the
// lab does it. Rather than folding the new user into the trained model (serve/cf_new_users.h), the
// model is trained again on all of the lab's ratings with the new user as column 0 of Y/R
// (cf/cf_lab_new_user.h, with the run's cf options), and the user's top predictions are its list:
// the same computation, and so the same numbers, as the library's cf_lab_new_user.
#pragma once

#include <string>
#include <vector>

#include "config/options.h"
#include "core/progress.h"
#include "serve/cf_new_users.h"

namespace towerrec {

// Throws UsageError unless the run's data format is cf_lab and `users` holds exactly one user with
// at least one rating. The lab always leaves out the user's rated movies (serve.exclude_seen is
// implied); `excluded_items` are left out too. Writes recommend's CSV atomically.
NewUserSummary recommend_lab_new_user(const CfRun& cf, const NewUserRatings& users,
                                      const ServeOptions& options,
                                      const std::vector<int32_t>& excluded_items,
                                      const std::string& out_csv, const ProgressFn& progress = {});

}  // namespace towerrec

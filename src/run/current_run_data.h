// A run applied to today's data (`--data DIR` on embed, recommend, similar and features): the
// RunData the offline jobs read, with the current dataset in place of the run's and features built
// on it in the run's layout (features/current_features.h, from the run's features.json), so users
// and items the run never saw are scored from their features without retraining. Every rating of
// the current data counts as seen (serve.exclude_seen).
#pragma once

#include <string>

#include "run/run_callbacks.h"
#include "run/run_data.h"

namespace towerrec {

// Reads `data_dir` with the run's data options (format, rating scale, duplicates policy) and
// builds its features. Genres and demographic categories the run did not know are ignored and
// reported in ONE "warning: ..." line through cb.log. Throws (nothing is written by the caller):
//   UsageError  the run is not a two-tower run;
//   Error       `data_dir` is in another format than the run's data, or holds none of the run's
//               items (message names the file and what differs);
//   InputError  a rating outside the run's scale (data.rating_min..rating_max), "file:line: ...".
// The run's own data is read (when it is still there) only to compare format and catalogue.
RunData load_run_on_data(const std::string& run_dir, const std::string& data_dir,
                         const RunCallbacks& cb);

// load_run_data(run_dir) when `data_dir` is empty, else load_run_on_data.
RunData load_scoring_data(const std::string& run_dir, const std::string& data_dir,
                          const RunCallbacks& cb);

}  // namespace towerrec

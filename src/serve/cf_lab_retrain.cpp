#include "serve/cf_lab_retrain.h"

#include <algorithm>

#include "cf/cf_lab_new_user.h"
#include "core/error.h"
#include "data/cf_lab.h"
#include "serve/new_user_ratings.h"
#include "serve/recommendation_csv.h"

namespace towerrec {

NewUserSummary recommend_lab_new_user(const CfRun& cf, const NewUserRatings& users,
                                      const ServeOptions& options,
                                      const std::vector<int32_t>& excluded_items,
                                      const std::string& out_csv, const ProgressFn& progress) {
  const Dataset& data = cf.run.data;
  if (data.format != DataFormat::kCfLab)
    throw UsageError(std::string("recommend --retrain: expected a run on the course lab's data "
                                 "(data.format cf_lab), found format ") +
                     enum_name(data.format) + "; other runs fold new users in (drop --retrain)");
  if (users.ids.size() != 1 || users.items[0].empty())
    throw UsageError(
        "recommend --retrain: expected one new user with ratings (the lab's "
        "exercise), found " +
        std::to_string(users.ids.size()) + " user(s)" +
        (users.ids.size() == 1 ? " without ratings" : ""));
  // In the lab's data a movie's item id is its row of Y (data/cf_lab.h).
  std::vector<CfLabRating> mine;
  for (size_t r = 0; r < users.items[0].size(); ++r)
    mine.push_back({static_cast<int32_t>(data.items.id(users.items[0][r])), users.values[0][r]});
  const CfLab lab = read_cf_lab(data.source);
  const int64_t want = options.k + static_cast<int64_t>(excluded_items.size());
  const CfLabNewUserResult res = cf_lab_new_user(lab, mine, cf.run.options.cf, want, 0, progress);
  NewUserSummary s;
  NewUserList list;
  list.user_id = users.ids[0];
  for (const CfLabPrediction& p : res.top) {
    if (static_cast<int64_t>(list.items.size()) == options.k) break;
    const int32_t item = data.items.find(p.movie);
    if (std::find(excluded_items.begin(), excluded_items.end(), item) != excluded_items.end())
      continue;
    list.items.push_back(item);
    list.scores.push_back(p.predicted);
  }
  RecommendationCsv csv(out_csv, data);
  const std::vector<int64_t> items(list.items.begin(), list.items.end());
  csv.write_id(list.user_id, items.data(), list.scores.data(), static_cast<int64_t>(items.size()));
  csv.commit();
  s.users = 1;
  s.rows = csv.rows();
  s.lists.push_back(std::move(list));
  return s;
}

}  // namespace towerrec

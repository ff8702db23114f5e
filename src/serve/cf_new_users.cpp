#include "serve/cf_new_users.h"

#include <algorithm>

#include "core/error.h"
#include "run/run_models.h"
#include "serve/new_user_ratings.h"
#include "serve/recommendation_csv.h"

namespace towerrec {

CfRun open_cf_run(const std::string& run_dir, const RunCallbacks& cb) {
  CfRun cf;
  cf.run = load_run_data(run_dir, cb);
  if (cf.run.options.model.kind != ModelKind::kCf)
    throw Error(run_dir + ": model.kind is " + std::string(enum_name(cf.run.options.model.kind)) +
                "; --new-users folds users into a collaborative-filtering run (model.kind: cf)");
  cf.model = load_run_cf_model(run_dir, cf.run.data.num_items());
  return cf;
}

std::vector<int32_t> top_scored_items(const std::vector<float>& score,
                                      const std::vector<char>& never, const int32_t* seen_begin,
                                      const int32_t* seen_end, int64_t k) {
  std::vector<int32_t> order;
  for (int32_t i = 0; i < static_cast<int32_t>(score.size()); ++i)
    if (!never[i] && !std::binary_search(seen_begin, seen_end, i)) order.push_back(i);
  const size_t take = std::min(order.size(), static_cast<size_t>(std::max<int64_t>(k, 0)));
  std::partial_sort(
      order.begin(), order.begin() + static_cast<std::ptrdiff_t>(take), order.end(),
      [&](int32_t a, int32_t b) { return score[a] != score[b] ? score[a] > score[b] : a < b; });
  order.resize(take);
  return order;
}

NewUserSummary recommend_new_users(const CfRun& cf, const NewUserRatings& users,
                                   const ServeOptions& options,
                                   const std::vector<int32_t>& excluded_items,
                                   const std::string& out_csv, const ProgressFn& progress) {
  const CfModel& model = cf.model;
  std::vector<char> never(static_cast<size_t>(model.num_items()), 0);
  for (int32_t i : excluded_items) never.at(static_cast<size_t>(i)) = 1;
  NewUserSummary s;
  RecommendationCsv csv(out_csv, cf.run.data);
  const uint64_t n = users.ids.size();
  for (size_t u = 0; u < users.ids.size(); ++u) {
    const std::vector<int32_t>& rated = users.items[u];
    if (rated.empty()) ++s.cold_users;
    const std::vector<float> score = model.scores(model.fold_in_user(rated, users.values[u]));
    std::vector<int32_t> seen = options.exclude_seen ? rated : std::vector<int32_t>{};
    std::sort(seen.begin(), seen.end());
    NewUserList list;
    list.user_id = users.ids[u];
    list.items = top_scored_items(score, never, seen.data(), seen.data() + seen.size(), options.k);
    for (int32_t i : list.items) list.scores.push_back(score[i]);
    const std::vector<int64_t> top(list.items.begin(), list.items.end());
    csv.write_id(list.user_id, top.data(), list.scores.data(), static_cast<int64_t>(top.size()));
    s.lists.push_back(std::move(list));
    if (progress) progress({"recommend new users", u + 1, n, "users", ""});
  }
  csv.commit();
  s.users = static_cast<int64_t>(users.ids.size());
  s.rows = csv.rows();
  return s;
}

}  // namespace towerrec

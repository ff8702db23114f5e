#include "serve/cf_recommender.h"

#include <chrono>
#include <cstdio>
#include <numeric>

#include "cf/nearest_by_l2.h"
#include "data/dataset.h"
#include "serve/recommendation_csv.h"
#include "serve/seen_items.h"

namespace towerrec {

RecommendSummary recommend_cf(const CfRun& cf, const ServeOptions& options,
                              const RecommendRequest& request, const std::string& out_csv,
                              const ProgressFn& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<char> never(static_cast<size_t>(cf.model.num_items()), 0);
  for (int32_t i : request.excluded_items) never.at(static_cast<size_t>(i)) = 1;
  std::vector<int32_t> users = request.users;
  if (users.empty()) {
    users.resize(static_cast<size_t>(cf.model.num_users()));
    std::iota(users.begin(), users.end(), 0);
  }
  const SeenItems seen(cf.run, options.exclude_seen);
  RecommendationCsv csv(out_csv, cf.run.data);
  std::vector<float> top_scores;
  for (size_t r = 0; r < users.size(); ++r) {
    const int32_t u = users[r];
    const std::vector<float> score = cf.model.scores(u);
    const std::vector<int32_t> top =
        top_scored_items(score, never, seen.begin(u), seen.end(u), options.k);
    top_scores.clear();
    for (int32_t i : top) top_scores.push_back(score[i]);
    const std::vector<int64_t> items(top.begin(), top.end());
    csv.write(u, items.data(), top_scores.data(), static_cast<int64_t>(items.size()));
    if (progress) progress({"recommend", r + 1, users.size(), "users", ""});
  }
  csv.commit();
  RecommendSummary s;
  s.users = static_cast<int64_t>(users.size());
  s.rows = csv.rows();
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  s.users_per_s = s.seconds > 0 ? static_cast<double>(s.users) / s.seconds : 0;
  return s;
}

RelatedSummary related_cf_items(const CfRun& cf, const ServeOptions& options,
                                const std::vector<int32_t>& of, std::ostream& out,
                                const ProgressFn& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  const Dataset& data = cf.run.data;
  out << "item_id,rank,similar_item_id,distance\n";
  char line[96];
  RelatedSummary s;
  for (size_t q = 0; q < of.size(); ++q) {
    const auto near = nearest_by_l2(cf.model.item_features().data(), cf.model.num_items(),
                                    cf.model.features(), of[q], options.k);
    for (size_t j = 0; j < near.size(); ++j) {
      const int n = std::snprintf(
          line, sizeof line, "%lld,%lld,%lld,%.6g\n", static_cast<long long>(data.items.id(of[q])),
          static_cast<long long>(j + 1), static_cast<long long>(data.items.id(near[j].first)),
          static_cast<double>(near[j].second));
      out.write(line, n);
      ++s.rows;
    }
    if (progress) progress({"similar", q + 1, of.size(), "items", ""});
  }
  s.items = static_cast<int64_t>(of.size());
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

}  // namespace towerrec

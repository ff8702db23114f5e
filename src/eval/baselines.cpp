#include "eval/baselines.h"

#include <chrono>

#include "core/error.h"
#include "data/dataset.h"
#include "eval/ease.h"
#include "features/rating_stats.h"

namespace towerrec {

std::vector<ComparisonRow> evaluate_baselines(const Dataset& data,
                                              const std::vector<uint32_t>& train_rows,
                                              const std::vector<uint32_t>& test_rows,
                                              const EvalOptions& opts, RankingMetrics* ranking,
                                              const ProgressFn& progress) {
  if (test_rows.empty()) throw Error("baselines: expected at least one test rating, found none");
  const auto t0 = std::chrono::steady_clock::now();
  const RatingStats stats = RatingStats::from_rows(data, train_rows);
  std::vector<float> item_mean(stats.num_items), item_count(stats.num_items);
  for (int32_t i = 0; i < stats.num_items; ++i) {
    item_mean[i] = static_cast<float>(stats.item_mean_or_global(i));
    item_count[i] = static_cast<float>(stats.item_count[i]);
  }
  const double fit_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const Ratings& r = data.ratings;
  std::vector<float> global(test_rows.size()), user(test_rows.size()), item(test_rows.size());
  for (size_t k = 0; k < test_rows.size(); ++k) {
    const uint32_t row = test_rows[k];
    TOWERREC_CHECK(row < r.size());
    global[k] = static_cast<float>(stats.global_mean);
    user[k] = static_cast<float>(stats.user_mean_or_global(r.user[row]));
    item[k] = item_mean[r.item[row]];
  }

  std::vector<ComparisonRow> rows;
  rows.push_back(
      evaluate_model("global_mean", data, train_rows, test_rows, global, {}, opts, fit_seconds));
  rows.push_back(
      evaluate_model("user_mean", data, train_rows, test_rows, user, {}, opts, fit_seconds));
  rows.push_back(evaluate_model("item_mean", data, train_rows, test_rows, item,
                                rank_fixed_order(item_mean), opts, fit_seconds, ranking, progress));
  rows.push_back(evaluate_model("popularity", data, train_rows, test_rows, item,
                                rank_fixed_order(item_count), opts, fit_seconds, nullptr,
                                progress));
  rows.push_back(evaluate_ease(data, train_rows, test_rows, opts, progress));
  return rows;
}

ComparisonRow evaluate_ease(const Dataset& data, const std::vector<uint32_t>& train_rows,
                            const std::vector<uint32_t>& test_rows, const EvalOptions& opts,
                            const ProgressFn& progress) {
  if (data.num_items() > opts.ease_max_items) {
    ComparisonRow row;
    row.model = "ease";
    row.note = "skipped: " + std::to_string(data.num_items()) + " items > eval.ease_max_items (" +
               std::to_string(opts.ease_max_items) + "); its memory grows with min(users, items)^2";
    return row;
  }
  const auto t0 = std::chrono::steady_clock::now();
  const EaseModel ease = EaseModel::fit(data, train_rows, opts.ease_lambda);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return evaluate_model("ease", data, train_rows, test_rows, {},
                        rank_by_scores(ease.scorer(), data.num_items()), opts, seconds, nullptr,
                        progress);
}

}  // namespace towerrec

#include "train/run_evaluation.h"

#include <cmath>
#include <optional>

#include "dist/dist_context.h"
#include "eval/baselines.h"
#include "eval/comparison.h"
#include "run/run_inputs.h"

namespace towerrec {

RankingMetrics sharded_ranking(const RunOptions& opts, const RunInputs& in,
                               const BlockRanker& ranker, const ItemVectors& vectors,
                               DistContext& ranks, const ProgressFn& progress,
                               const std::vector<uint32_t>& train_rows,
                               const std::vector<uint32_t>& test_rows) {
  const int64_t n_users = in.data.num_users();
  const int64_t u0 = ranks.shard_begin(n_users), u1 = ranks.shard_end(n_users);
  std::vector<uint32_t> mine;
  for (uint32_t r : test_rows) {
    const int32_t u = in.data.ratings.user[r];
    if (u >= u0 && u < u1) mine.push_back(r);
  }
  RankingMetrics rk = evaluate_ranking(in.data, train_rows, mine, ranker, opts.eval, progress, 8192,
                                       vectors.empty() ? nullptr : &vectors);
  double sums[4] = {rk.users > 0 ? rk.recall * static_cast<double>(rk.users) : 0.0,
                    rk.users > 0 ? rk.ndcg * static_cast<double>(rk.users) : 0.0,
                    static_cast<double>(rk.users), static_cast<double>(rk.users_skipped)};
  ranks.all_reduce_sum(sums, 4);
  RankingMetrics out;
  out.k = rk.k;
  out.users = static_cast<int64_t>(std::llround(sums[2]));
  out.users_skipped = static_cast<int64_t>(std::llround(sums[3]));
  out.recall = out.users > 0 ? sums[0] / sums[2] : NAN;
  out.ndcg = out.users > 0 ? sums[1] / sums[2] : NAN;
  std::vector<double> tally = rk.tally.flat();
  ranks.all_reduce_sum(tally.data(), static_cast<int64_t>(tally.size()));
  out.tally = rk.tally;
  out.tally.from_flat(tally);
  out.beyond = out.tally.finish();
  return out;
}

RunMetrics evaluate_with_baselines(const RunOptions& opts, const RunInputs& in,
                                   const ModelOutput& output, const RunCallbacks& cb,
                                   DistContext& ranks) {
  RankingMetrics ranking;
  const std::optional<double> train_seconds = std::isnan(output.train_seconds)
                                                  ? std::optional<double>()
                                                  : std::optional<double>(output.train_seconds);
  if (output.ranker) {
    ranking = ranks.distributed()
                  ? sharded_ranking(opts, in, output.ranker, output.vectors, ranks, cb.progress,
                                    in.split.train, in.split.test)
                  : evaluate_ranking(in.data, in.split.train, in.split.test, output.ranker,
                                     opts.eval, cb.progress, 8192,
                                     output.vectors.empty() ? nullptr : &output.vectors);
  }
  RunMetrics m;
  if (!ranks.is_root()) return m;
  ComparisonTable& table = m.comparison;
  table.k = opts.eval.k;
  table.relevant_min = opts.eval.relevant_min;
  ComparisonRow row = evaluate_model(output.name, in.data, in.split.train, in.split.test,
                                     output.test_stars, nullptr, opts.eval, train_seconds);
  set_ranking(row, ranking);
  table.rows.push_back(row);
  RankingMetrics base_ranking;
  for (auto& base : evaluate_baselines(in.data, in.split.train, in.split.test, opts.eval,
                                       &base_ranking, cb.progress))
    table.rows.push_back(base);
  const RankingMetrics& counts = output.ranker ? ranking : base_ranking;
  table.ranking_users = counts.users;
  table.ranking_users_skipped = counts.users_skipped;

  m.test_mse_scaled = output.test_mse_scaled;
  m.test_auc = output.test_auc;
  m.test_log_loss = output.test_log_loss;
  m.train_seconds = train_seconds;
  m.split = opts.data.split;
  m.n_train = static_cast<int64_t>(in.fit_rows.size());
  m.n_validation = static_cast<int64_t>(in.val_rows.size());
  m.n_test = static_cast<int64_t>(in.split.test.size());
  m.training = output.training;
  return m;
}

}  // namespace towerrec

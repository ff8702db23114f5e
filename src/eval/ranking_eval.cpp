#include "eval/ranking_eval.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "data/dataset.h"
#include "eval/ranking_metrics.h"
#include "eval/user_items.h"

namespace towerrec {

BlockScorer same_for_every_user(std::vector<float> item_scores) {
  return [scores = std::move(item_scores)](const std::vector<int32_t>& users, float* out) {
    for (size_t b = 0; b < users.size(); ++b)
      std::copy(scores.begin(), scores.end(), out + b * scores.size());
  };
}

RankingMetrics evaluate_ranking(const Dataset& data, const std::vector<uint32_t>& train_rows,
                                const std::vector<uint32_t>& test_rows, const BlockScorer& scorer,
                                const EvalOptions& opts, const ProgressFn& progress,
                                int32_t block_users, const ItemVectors* vectors) {
  TOWERREC_CHECK(block_users > 0);
  const UserItems seen = UserItems::from_rows(data, train_rows);
  const UserItems test = UserItems::from_rows(data, test_rows);
  const int32_t num_items = data.num_items();

  // Relevant sets first, so blocks contain only users that are actually ranked.
  std::vector<int32_t> users;
  std::vector<std::vector<int32_t>> relevant_of;
  RankingMetrics m;
  m.k = opts.k;
  for (int32_t u = 0; u < test.num_users(); ++u) {
    if (test.count(u) == 0) continue;
    std::vector<int32_t> rel;
    for (int64_t k = test.offset[u]; k < test.offset[u + 1]; ++k) {
      const int32_t i = test.item[k];
      const bool in_train = std::binary_search(seen.item.begin() + seen.offset[u],
                                               seen.item.begin() + seen.offset[u + 1], i);
      // An item also rated in training can never be recommended, so it cannot count as missed.
      if (test.value[k] >= opts.relevant_min && !in_train) rel.push_back(i);
    }
    if (rel.empty()) {
      ++m.users_skipped;
      continue;
    }
    users.push_back(u);
    relevant_of.push_back(std::move(rel));
  }

  std::vector<int64_t> train_count(static_cast<size_t>(num_items), 0);
  for (int32_t i : seen.item) ++train_count[i];
  const ItemVectors genres = vectors && !vectors->empty() ? ItemVectors{} : genre_vectors(data);
  m.tally = BeyondAccuracyTally(std::move(train_count), static_cast<int64_t>(seen.item.size()),
                                vectors && !vectors->empty() ? vectors : &genres);

  double recall_sum = 0, ndcg_sum = 0;
  std::vector<float> scores;
  std::vector<int32_t> block, candidates;
  for (size_t start = 0; start < users.size(); start += block_users) {
    const size_t end = std::min(users.size(), start + static_cast<size_t>(block_users));
    block.assign(users.begin() + start, users.begin() + end);
    scores.assign(block.size() * static_cast<size_t>(num_items),
                  std::numeric_limits<float>::quiet_NaN());
    scorer(block, scores.data());
    for (size_t b = 0; b < block.size(); ++b) {
      const int32_t u = block[b];
      candidates.clear();
      auto s = seen.item.begin() + seen.offset[u];
      const auto s_end = seen.item.begin() + seen.offset[u + 1];
      for (int32_t i = 0; i < num_items; ++i) {
        while (s != s_end && *s < i) ++s;
        if (s != s_end && *s == i) continue;
        candidates.push_back(i);
      }
      const std::vector<int32_t> ranked =
          top_k(scores.data() + b * static_cast<size_t>(num_items), candidates, opts.k);
      recall_sum += recall_at_k(ranked, relevant_of[start + b], opts.k);
      ndcg_sum += ndcg_at_k(ranked, relevant_of[start + b], opts.k);
      m.tally.add(ranked);
    }
    if (progress) progress({"ranking", end, users.size(), "users", ""});
  }
  m.users = static_cast<int64_t>(users.size());
  m.recall = m.users ? recall_sum / m.users : std::numeric_limits<double>::quiet_NaN();
  m.ndcg = m.users ? ndcg_sum / m.users : std::numeric_limits<double>::quiet_NaN();
  m.beyond = m.tally.finish();
  return m;
}

}  // namespace towerrec

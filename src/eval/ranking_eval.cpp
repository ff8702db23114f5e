#include "eval/ranking_eval.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/error.h"
#include "core/exact_topk.h"
#include "data/dataset.h"
#include "data/user_items.h"
#include "eval/ranking_metrics.h"

namespace towerrec {

BlockScorer same_for_every_user(std::vector<float> item_scores) {
  return [scores = std::move(item_scores)](const std::vector<int32_t>& users, float* out) {
    for (size_t b = 0; b < users.size(); ++b)
      std::copy(scores.begin(), scores.end(), out + b * scores.size());
  };
}

BlockRanker rank_fixed_order(const std::vector<float>& item_scores) {
  // Sorted with top_k's own order (score descending, index ascending), which also rejects NaN.
  std::vector<int32_t> all(item_scores.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int32_t>(i);
  auto order = std::make_shared<const std::vector<int32_t>>(
      top_k(item_scores.data(), all, static_cast<int64_t>(all.size())));
  return [order](const std::vector<int32_t>& users, const UserItems& seen, int64_t k,
                 std::vector<std::vector<int32_t>>& ranked) {
    ranked.resize(users.size());
    for (size_t b = 0; b < users.size(); ++b) {
      const auto s = seen.item.begin() + seen.offset[users[b]];
      const auto s_end = seen.item.begin() + seen.offset[users[b] + 1];
      ranked[b].clear();
      for (auto it = order->begin();
           it != order->end() && static_cast<int64_t>(ranked[b].size()) < k; ++it) {
        if (!std::binary_search(s, s_end, *it)) ranked[b].push_back(*it);
      }
    }
  };
}

BlockRanker rank_by_scores(BlockScorer scorer, int32_t num_items) {
  return [scorer = std::move(scorer), num_items](const std::vector<int32_t>& users,
                                                 const UserItems& seen, int64_t k,
                                                 std::vector<std::vector<int32_t>>& ranked) {
    std::vector<float> scores(users.size() * static_cast<size_t>(num_items),
                              std::numeric_limits<float>::quiet_NaN());
    scorer(users, scores.data());
    ranked.resize(users.size());
    std::vector<int32_t> candidates;
    for (size_t b = 0; b < users.size(); ++b) {
      const int32_t u = users[b];
      candidates.clear();
      auto s = seen.item.begin() + seen.offset[u];
      const auto s_end = seen.item.begin() + seen.offset[u + 1];
      for (int32_t i = 0; i < num_items; ++i) {
        while (s != s_end && *s < i) ++s;
        if (s != s_end && *s == i) continue;
        candidates.push_back(i);
      }
      ranked[b] = top_k(scores.data() + b * static_cast<size_t>(num_items), candidates, k);
    }
  };
}

BlockRanker rank_by_vectors(std::shared_ptr<const std::vector<float>> users,
                            std::shared_ptr<const std::vector<float>> items, int64_t dim,
                            int64_t threads) {
  TOWERREC_CHECK(dim >= 1 && users->size() % dim == 0 && items->size() % dim == 0);
  for (const auto* v : {users.get(), items.get()}) {
    for (size_t i = 0; i < v->size(); ++i) {
      if (!std::isfinite((*v)[i]))
        throw Error(std::string("ranking: expected finite ") +
                    (v == users.get() ? "user" : "item") + " vectors, found " +
                    std::to_string((*v)[i]) + " in vector " + std::to_string(i / dim));
    }
  }
  return [users, items, dim, threads](const std::vector<int32_t>& block, const UserItems& seen,
                                      int64_t k, std::vector<std::vector<int32_t>>& ranked) {
    const MatrixRef item_ref{items->data(), static_cast<int64_t>(items->size()) / dim, dim};
    TopKOptions topk;
    topk.k = k;
    topk.threads = threads;
    const ExactTopK search(item_ref, topk);
    // The block's query rows and their seen items in exact_topk's CSR form.
    std::vector<float> queries(block.size() * static_cast<size_t>(dim));
    std::vector<int64_t> offsets(block.size() + 1, 0), excluded;
    for (size_t b = 0; b < block.size(); ++b) {
      const int32_t u = block[b];
      std::copy_n(users->data() + static_cast<int64_t>(u) * dim, dim,
                  queries.begin() + static_cast<int64_t>(b) * dim);
      excluded.insert(excluded.end(), seen.item.begin() + seen.offset[u],
                      seen.item.begin() + seen.offset[u + 1]);
      offsets[b + 1] = static_cast<int64_t>(excluded.size());
    }
    const TopKResult r =
        search.search(MatrixRef{queries.data(), static_cast<int64_t>(block.size()), dim},
                      ExclusionsRef{offsets.data(), excluded.data()});
    ranked.resize(block.size());
    for (size_t b = 0; b < block.size(); ++b) {
      const int64_t* row = r.items.data() + static_cast<int64_t>(b) * r.k;
      ranked[b].assign(row, row + r.found[b]);
    }
  };
}

RankingMetrics evaluate_ranking(const Dataset& data, const std::vector<uint32_t>& train_rows,
                                const std::vector<uint32_t>& test_rows, const BlockScorer& scorer,
                                const EvalOptions& opts, const ProgressFn& progress,
                                int32_t block_users, const ItemVectors* vectors) {
  return evaluate_ranking(data, train_rows, test_rows, rank_by_scores(scorer, data.num_items()),
                          opts, progress, block_users, vectors);
}

RankingMetrics evaluate_ranking(const Dataset& data, const std::vector<uint32_t>& train_rows,
                                const std::vector<uint32_t>& test_rows, const BlockRanker& ranker,
                                const EvalOptions& opts, const ProgressFn& progress,
                                int32_t block_users, const ItemVectors* vectors) {
  TOWERREC_CHECK(block_users > 0);
  const UserItems seen = UserItems::from_rows(data, train_rows);
  const UserItems test = UserItems::from_rows(data, test_rows);

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

  const int32_t num_items = data.num_items();
  std::vector<int64_t> train_count(static_cast<size_t>(num_items), 0);
  for (int32_t i : seen.item) ++train_count[i];
  const ItemVectors genres = vectors && !vectors->empty() ? ItemVectors{} : genre_vectors(data);
  m.tally = BeyondAccuracyTally(std::move(train_count), static_cast<int64_t>(seen.item.size()),
                                vectors && !vectors->empty() ? vectors : &genres);

  double recall_sum = 0, ndcg_sum = 0;
  std::vector<int32_t> block;
  std::vector<std::vector<int32_t>> ranked;
  for (size_t start = 0; start < users.size(); start += block_users) {
    const size_t end = std::min(users.size(), start + static_cast<size_t>(block_users));
    block.assign(users.begin() + start, users.begin() + end);
    ranker(block, seen, opts.k, ranked);
    for (size_t b = 0; b < block.size(); ++b) {
      recall_sum += recall_at_k(ranked[b], relevant_of[start + b], opts.k);
      ndcg_sum += ndcg_at_k(ranked[b], relevant_of[start + b], opts.k);
      m.tally.add(ranked[b]);
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

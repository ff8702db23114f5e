// Recall@K and NDCG@K over all test users for any model that can score the catalogue: the two-tower
// model, collaborative filtering and the baselines plug in through a BlockScorer.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "config/options.h"
#include "core/progress.h"
#include "eval/beyond_accuracy.h"

namespace towerrec {

struct Dataset;
struct UserItems;

// Fills out[b * num_items + i] with the score of item i for user users[b] (higher = better; only
// the order matters). `out` holds users.size() * num_items floats, allocated by the caller. Called
// from one thread; the users of one call are ascending dense indices.
using BlockScorer = std::function<void(const std::vector<int32_t>& users, float* out)>;

// A scorer giving every user the same item scores (popularity, item mean).
BlockScorer same_for_every_user(std::vector<float> item_scores);

// Fills ranked[b] (resized to users.size()) with user users[b]'s top `k` items among those not in
// the user's `seen` entries (their training items), best first, equal scores by lower item index;
// fewer than k when fewer candidates remain. Called from one thread; users ascending.
using BlockRanker = std::function<void(const std::vector<int32_t>& users, const UserItems& seen,
                                       int64_t k, std::vector<std::vector<int32_t>>& ranked)>;

// The same item scores for every user (popularity, item mean): the catalogue is sorted once, and a
// user's list is the first k unseen items of that order, O(k + seen items) per user instead of a
// pass over the catalogue. Throws Error when a score is NaN.
BlockRanker rank_fixed_order(const std::vector<float>& item_scores);

// Any scorer as a ranker: full score rows for the block, then top_k (eval/ranking_metrics.h) over
// the unseen items. Memory: users per call x num_items floats. Throws Error on a NaN candidate
// score.
BlockRanker rank_by_scores(BlockScorer scorer, int32_t num_items);

// Scores are dot products of user and item vectors ([num_users, dim] and [num_items, dim],
// row-major, shared not copied), ranked by core/exact_topk.h: the blocked GEMM top-K kernel that
// `recommend` uses, over `threads` threads. Ties: exact_topk's (rescored in dimension order, lower
// index first). Throws Error when a vector holds NaN or infinity.
BlockRanker rank_by_vectors(std::shared_ptr<const std::vector<float>> users,
                            std::shared_ptr<const std::vector<float>> items, int64_t dim,
                            int64_t threads);

struct RankingMetrics {
  int64_t k = 10;
  double recall = 0;          // mean over evaluated users
  double ndcg = 0;            // mean over evaluated users
  int64_t users = 0;          // users evaluated: at least one relevant test item
  int64_t users_skipped = 0;  // users with test ratings but none relevant (>= relevant_min)
  BeyondAccuracy beyond;      // of the same top-K lists (tally.finish())
  BeyondAccuracyTally tally;  // its additive state, for merging user shards
};

// For every user with a test rating, in ascending user index: relevant = the user's test items
// rated at least opts.relevant_min; candidates = every catalogue item the user did not rate in
// `train_rows`; the ranked list = top opts.k candidates by score (ties: lower item index first, see
// eval/ranking_metrics.h). Recall@K = hits / |relevant| (not capped at K); NDCG@K with binary
// gains. Users are scored in blocks of `block_users`. When no user is evaluated, recall and ndcg
// are NaN and users == 0. Throws Error when the scorer gives NaN for a candidate.
// The beyond-accuracy metrics summarise the same lists; popularity counts come from `train_rows`;
// diversity uses `vectors` when given and non-empty, else the data's genre vectors.
RankingMetrics evaluate_ranking(const Dataset& data, const std::vector<uint32_t>& train_rows,
                                const std::vector<uint32_t>& test_rows, const BlockScorer& scorer,
                                const EvalOptions& opts, const ProgressFn& progress = {},
                                int32_t block_users = 256, const ItemVectors* vectors = nullptr);

// The same metrics from a ranker; users are ranked `block_users` at a time (a ranker keeps only k
// items per user, so blocks can be large enough to keep every thread of rank_by_vectors busy).
RankingMetrics evaluate_ranking(const Dataset& data, const std::vector<uint32_t>& train_rows,
                                const std::vector<uint32_t>& test_rows, const BlockRanker& ranker,
                                const EvalOptions& opts, const ProgressFn& progress = {},
                                int32_t block_users = 8192, const ItemVectors* vectors = nullptr);

}  // namespace towerrec

// Recall@K and NDCG@K over all test users for any model that can score the catalogue: the two-tower
// model, collaborative filtering and the baselines plug in through a BlockScorer.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "config/options.h"
#include "core/progress.h"
#include "eval/beyond_accuracy.h"

namespace towerrec {

struct Dataset;

// Fills out[b * num_items + i] with the score of item i for user users[b] (higher = better; only
// the order matters). `out` holds users.size() * num_items floats, allocated by the caller. Called
// from one thread; the users of one call are ascending dense indices.
using BlockScorer = std::function<void(const std::vector<int32_t>& users, float* out)>;

// A scorer giving every user the same item scores (popularity, item mean).
BlockScorer same_for_every_user(std::vector<float> item_scores);

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

}  // namespace towerrec

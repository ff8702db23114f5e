// Evaluating a trained model of a run: its test metrics beside the baselines (RunMetrics), and its
// ranking metrics with the users sharded over the ranks of a distributed run.
#pragma once

#include <cstdint>
#include <vector>

#include "config/options.h"
#include "core/progress.h"
#include "eval/ranking_eval.h"
#include "eval/run_metrics.h"
#include "run/run_callbacks.h"
#include "train/model_kind_adapter.h"

namespace towerrec {

class DistContext;
struct RunInputs;

// The ranking metrics of `ranker` on `test_rows` (candidates exclude `train_rows`), the users
// sharded over the ranks: each rank ranks the catalogue for the users of its contiguous 1/W, and
// the per-user sums are all-reduced. Every rank calls it and gets the same result.
RankingMetrics sharded_ranking(const RunOptions& opts, const RunInputs& in,
                               const BlockRanker& ranker, const ItemVectors& vectors,
                               DistContext& ranks, const ProgressFn& progress,
                               const std::vector<uint32_t>& train_rows,
                               const std::vector<uint32_t>& test_rows);

// Test metrics of a trained model beside the baselines. Distributed, the model's ranking metrics
// are computed in user shards on every rank; the rest (rating metrics, baselines) on rank 0, and
// the other ranks return empty metrics. `output.training` is copied into the result.
RunMetrics evaluate_with_baselines(const RunOptions& opts, const RunInputs& in,
                                   const ModelOutput& output, const RunCallbacks& cb,
                                   DistContext& ranks);

}  // namespace towerrec

// `towerrec compare`: the two-tower model, the collaborative-filtering model, the content
// regression (cf.item_features: content, cf/content_regression.h) and the mean, popularity and
// EASE^R baselines trained and evaluated on ONE split, written as a table and a report:
//   <out>/compare.json   rows as ComparisonRow::to_json writes them: model, test_rmse, test_mae,
//                        recall_at_K, ndcg_at_K, train_seconds, coverage_at_K, gini_at_K,
//                        avg_popularity_at_K, novelty_at_K, diversity_at_K, diversity_vectors, note
//   <out>/compare.md     the same as Markdown tables
//   <out>/report.html    self-contained (inline SVG): tables, bars, accuracy against popularity,
//                        learning curves, rating distributions
//   <out>/two_tower/, <out>/cf/, <out>/content_regression/   the run directories (models/README.md)
#pragma once

#include <string>

#include "config/options.h"
#include "eval/comparison.h"
#include "run/run_callbacks.h"

namespace towerrec {

// Returns the table written to compare.json (its "rows") and compare.md. opts.model.kind is
// ignored (every kind is trained).
ComparisonTable compare_models(const RunOptions& opts, const std::string& out_dir,
                               const RunCallbacks& cb);

}  // namespace towerrec

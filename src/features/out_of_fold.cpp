#include "features/out_of_fold.h"

#include <limits>

#include "core/error.h"
#include "core/rng.h"
#include "data/dataset.h"
#include "features/features.h"
#include "features/item_features.h"
#include "features/rating_stats.h"
#include "features/user_features.h"

namespace towerrec {

namespace {

void append_rows(FeatureMatrix& dst, const FeatureMatrix& src) {
  dst.data.insert(dst.data.end(), src.data.begin(), src.data.end());
  dst.rows += src.rows;
}

}  // namespace

OutOfFoldFeatures build_out_of_fold(const Dataset& data, const std::vector<uint32_t>& train_rows,
                                    const Features& full, const FeatureOptions& opts, int64_t folds,
                                    uint64_t seed, bool dense) {
  if (folds < 2 || folds > 255)
    throw Error("features.out_of_fold: expected 0 (off) or 2..255 folds, found " +
                std::to_string(folds));
  if (train_rows.empty()) throw Error("out-of-fold features: the training split is empty");
  OutOfFoldFeatures oof;
  oof.folds = folds;
  oof.num_users = data.num_users();
  oof.num_items = data.num_items();
  if (folds * std::max(oof.num_users, oof.num_items) > std::numeric_limits<int32_t>::max())
    throw Error("out-of-fold features: " + std::to_string(folds) + " folds of " +
                std::to_string(std::max(oof.num_users, oof.num_items)) +
                " rows exceed 32-bit row indices; lower features.out_of_fold");

  // Deal a seeded permutation round-robin: fold sizes differ by at most one.
  std::vector<uint32_t> order(train_rows.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
  Rng rng(mix_seed(seed, 0x6f6f'665f'666f'6c64ULL));
  rng.shuffle(order);
  oof.fold.assign(train_rows.size(), 0);
  for (size_t j = 0; j < order.size(); ++j) oof.fold[order[j]] = static_cast<uint8_t>(j % folds);

  oof.user.names = full.user.names;
  oof.item.names = full.item.names;
  oof.user.data.reserve(static_cast<size_t>(folds * oof.num_users * oof.user.cols()));
  oof.item.data.reserve(static_cast<size_t>(folds * oof.num_items * oof.item.cols()));
  if (!full.user_bag.empty()) oof.user_bag.cols = full.user_bag.cols;
  if (!full.item_bag.empty()) oof.item_bag.cols = full.item_bag.cols;
  std::vector<uint32_t> rest;
  for (int64_t k = 0; k < folds; ++k) {
    rest.clear();
    for (size_t i = 0; i < train_rows.size(); ++i)
      if (oof.fold[i] != k) rest.push_back(train_rows[i]);
    // With 2+ folds and a non-empty split, `rest` is empty only when the split has one row.
    if (rest.empty()) throw Error("out-of-fold features need at least 2 training ratings");
    if (!full.user_bag.empty()) oof.user_bag.append(full.watched.bags(data, rest));
    if (!full.item_bag.empty()) oof.item_bag.append(full.item_bag);
    if (!dense) {
      append_rows(oof.user, full.user);
      append_rows(oof.item, full.item);
      continue;
    }
    const RatingStats stats = RatingStats::from_rows(data, rest);
    // Imputed values (a missing year or age) are metadata statistics, not ratings: the full
    // split's values stay the served ones, so the per-fold ones are discarded.
    FeatureMatrix u = build_user_features(data, stats, opts);
    FeatureMatrix it = build_item_features(data, stats, opts);
    if (u.names != full.user.names || it.names != full.item.names)
      throw Error("out-of-fold features: fold " + std::to_string(k) +
                  " has different columns from the full training split");
    full.user_scaler.apply(u);
    full.item_scaler.apply(it);
    append_rows(oof.user, u);
    append_rows(oof.item, it);
  }
  return oof;
}

}  // namespace towerrec

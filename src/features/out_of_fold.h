// Out-of-fold features for the rows the towers learn from.
//
// A user's average rating (and an item's) computed over the whole training split contains the very
// rating the model is asked to predict. For a user with 20 ratings that is 5% of the feature; the
// towers learn to trust the averages more than they deserve, and the test split (whose ratings are
// in no feature) pays for it. Measured on ml-latest-small: the lab's model went from 0.856 to 0.838
// test RMSE with 5 folds and nothing else changed (scripts/peer_lab_model.py variant).
//
// So, as in out-of-fold target encoding: the training rows are dealt into K folds, and a row of
// fold k sees user and item features computed from the training split WITHOUT fold k, scaled with
// the full split's scalers (the ones the model is served with). Test rows and serving use the full
// features.
#pragma once

#include <cstdint>
#include <vector>

#include "config/options.h"
#include "data/feature_matrix.h"
#include "features/sparse_rows.h"

namespace towerrec {

struct Dataset;
struct Features;

struct OutOfFoldFeatures {
  int64_t folds = 0;
  int64_t num_users = 0;
  int64_t num_items = 0;
  // Fold-major blocks: rows [k * num_users, (k + 1) * num_users) are the users' features without
  // fold k (scaled like Features::user); the same for items.
  FeatureMatrix user;
  FeatureMatrix item;
  // With watched items (full.user_bag non-empty): the same fold-major blocks of user bags, so a
  // training pair never finds its own item in the user's bag. Empty otherwise.
  SparseRows user_bag;
  // With item ids: the item bags repeated per fold block (an item's id is no rating).
  SparseRows item_bag;
  // fold[i] is the fold of train_rows[i] (same order as the train_rows given).
  std::vector<uint8_t> fold;

  int32_t user_row(int32_t user, int64_t k) const {
    return static_cast<int32_t>(k * num_users + user);
  }
  int32_t item_row(int32_t item, int64_t k) const {
    return static_cast<int32_t>(k * num_items + item);
  }
};

// Deals `train_rows` into `folds` (2..255) folds with a seeded shuffle (equal sizes +-1) and builds
// each fold's complement features with `full`'s scalers. With `dense` false only the user bags are
// out-of-fold and every fold's dense block is a copy of `full`'s (features.out_of_fold 0 with
// watched items: a training pair must never find its own item in its bag). Throws Error when folds
// is out of range, train_rows is empty, or the fold-major blocks would not fit 32-bit row indices.
OutOfFoldFeatures build_out_of_fold(const Dataset& data, const std::vector<uint32_t>& train_rows,
                                    const Features& full, const FeatureOptions& opts, int64_t folds,
                                    uint64_t seed, bool dense = true);

}  // namespace towerrec

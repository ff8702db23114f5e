// The watched-items user feature (the course notes' "movies the user watched, one-hot over the
// most popular movies"): a bag of which of the N most-rated training items a user rated.
//
// It is sparse: a user with 30 ratings has at most 30 entries whatever N is, and the user tower
// adds the first-layer weight rows of those entries (an embedding-bag sum), so its cost is
// O(entries), not O(N). Each entry is weighted 1 / sqrt(entries in the row) — the normalisation of
// SVD++'s implicit term |N(u)|^-1/2: a heavy user's sum does not grow without bound, and a light
// user's few items still count.
#pragma once

#include <cstdint>
#include <vector>

#include "features/sparse_rows.h"

namespace towerrec {

struct Dataset;
class IdMap;

struct WatchedItems {
  // vocab[p] = the dense item index at bag position p: the `n` most-rated items of the rows the
  // vocabulary was built from (most-rated first; ties by item index); only items with a rating.
  std::vector<int32_t> vocab;
  // position[item] = p with vocab[p] == item, or -1 (size: data.num_items()).
  std::vector<int32_t> position;

  // The vocabulary from the ratings in `rows` (the training split).
  static WatchedItems build(const Dataset& data, const std::vector<uint32_t>& rows, int64_t n);
  // From a saved vocabulary (dense item indices) over a catalogue of `num_items` items.
  static WatchedItems from_vocab(std::vector<int32_t> vocab, int64_t num_items);
  // A saved vocabulary of item ids (features.json) over another catalogue (`items`, e.g. today's
  // data): positions keep their meaning; vocab[p] is -1 for an id the catalogue does not hold, so
  // that position stays empty in every bag. Throws Error on a repeated id.
  static WatchedItems from_ids(const std::vector<int64_t>& ids, const IdMap& items);

  int64_t size() const { return static_cast<int64_t>(vocab.size()); }

  // One bag per user (row = dense user index) over the ratings in `rows`: the vocabulary positions
  // of the items they rated, ascending, each weighted 1 / sqrt(entries).
  SparseRows bags(const Dataset& data, const std::vector<uint32_t>& rows) const;

  // One row per catalogue item holding the item's own position with weight 1 (empty outside the
  // vocabulary): the item tower's id embedding as a bag.
  SparseRows own_positions() const;
};

}  // namespace towerrec

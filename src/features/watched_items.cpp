#include "features/watched_items.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"
#include "data/dataset.h"

namespace towerrec {

WatchedItems WatchedItems::build(const Dataset& data, const std::vector<uint32_t>& rows,
                                 int64_t n) {
  const int32_t num_items = data.num_items();
  std::vector<int64_t> count(static_cast<size_t>(num_items), 0);
  for (uint32_t r : rows) ++count[static_cast<size_t>(data.ratings.item[r])];
  std::vector<int32_t> order(static_cast<size_t>(num_items));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    return count[static_cast<size_t>(a)] > count[static_cast<size_t>(b)];
  });
  std::vector<int32_t> vocab;
  for (int32_t i : order) {
    if (static_cast<int64_t>(vocab.size()) >= n || count[static_cast<size_t>(i)] == 0) break;
    vocab.push_back(i);
  }
  return from_vocab(std::move(vocab), num_items);
}

WatchedItems WatchedItems::from_vocab(std::vector<int32_t> vocab, int64_t num_items) {
  WatchedItems w;
  w.position.assign(static_cast<size_t>(num_items), -1);
  for (size_t p = 0; p < vocab.size(); ++p) {
    const int32_t item = vocab[p];
    if (item < 0 || item >= num_items || w.position[static_cast<size_t>(item)] >= 0)
      throw Error("watched items: vocabulary entry " + std::to_string(p) + " (item index " +
                  std::to_string(item) + ") is outside the catalogue of " +
                  std::to_string(num_items) + " items or repeated");
    w.position[static_cast<size_t>(item)] = static_cast<int32_t>(p);
  }
  w.vocab = std::move(vocab);
  return w;
}

WatchedItems WatchedItems::from_ids(const std::vector<int64_t>& ids, const IdMap& items) {
  WatchedItems w;
  w.position.assign(static_cast<size_t>(items.size()), -1);
  w.vocab.reserve(ids.size());
  for (size_t p = 0; p < ids.size(); ++p) {
    const int32_t item = items.find(ids[p]);
    if (item >= 0) {
      if (w.position[static_cast<size_t>(item)] >= 0)
        throw Error("watched items: vocabulary entry " + std::to_string(p) + " repeats item id " +
                    std::to_string(ids[p]));
      w.position[static_cast<size_t>(item)] = static_cast<int32_t>(p);
    }
    w.vocab.push_back(item);
  }
  return w;
}

SparseRows WatchedItems::own_positions() const {
  SparseRows bag;
  bag.rows = static_cast<int64_t>(position.size());
  bag.cols = size();
  for (int32_t p : position) {
    if (p >= 0) {
      bag.index.push_back(p);
      bag.value.push_back(1.f);
    }
    bag.offsets.push_back(bag.nnz());
  }
  return bag;
}

SparseRows WatchedItems::bags(const Dataset& data, const std::vector<uint32_t>& rows) const {
  const int64_t num_users = data.num_users();
  SparseRows bag;
  bag.rows = num_users;
  bag.cols = size();
  // Counting sort by user: entries per user, then positions, then sort each row.
  std::vector<int64_t> per_user(static_cast<size_t>(num_users) + 1, 0);
  for (uint32_t r : rows)
    if (position[static_cast<size_t>(data.ratings.item[r])] >= 0)
      ++per_user[static_cast<size_t>(data.ratings.user[r]) + 1];
  for (int64_t u = 0; u < num_users; ++u) per_user[u + 1] += per_user[u];
  bag.offsets = per_user;
  bag.index.resize(static_cast<size_t>(per_user.back()));
  std::vector<int64_t> fill(per_user.begin(), per_user.end() - 1);
  for (uint32_t r : rows) {
    const int32_t p = position[static_cast<size_t>(data.ratings.item[r])];
    if (p >= 0) bag.index[static_cast<size_t>(fill[data.ratings.user[r]]++)] = p;
  }
  bag.value.resize(bag.index.size());
  for (int64_t u = 0; u < num_users; ++u) {
    auto b = bag.index.begin() + bag.begin(u), e = bag.index.begin() + bag.end(u);
    std::sort(b, e);
    const int64_t n = bag.end(u) - bag.begin(u);
    const float w = n > 0 ? static_cast<float>(1.0 / std::sqrt(static_cast<double>(n))) : 0.f;
    std::fill(bag.value.begin() + bag.begin(u), bag.value.begin() + bag.end(u), w);
  }
  return bag;
}

}  // namespace towerrec

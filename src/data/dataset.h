// Dataset: the one in-memory form every reader produces. Ratings are parallel arrays indexed by
// dense user and item indices (20 bytes per rating); id maps translate to and from the ids in the
// files.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/data_options.h"

namespace towerrec {

// Dense index <-> external id. Indices are assigned in order of first appearance (or by the
// reader's catalogue order), so they are stable for a given input.
class IdMap {
 public:
  // Returns the index of `id`, adding it if new.
  int32_t add(int64_t id);
  // -1 when absent.
  int32_t find(int64_t id) const {
    auto it = index_.find(id);
    return it == index_.end() ? -1 : it->second;
  }
  int64_t id(int32_t index) const { return ids_[static_cast<size_t>(index)]; }
  int32_t size() const { return static_cast<int32_t>(ids_.size()); }
  const std::vector<int64_t>& ids() const { return ids_; }
  void reserve(size_t n) {
    ids_.reserve(n);
    index_.reserve(n);
  }

 private:
  std::vector<int64_t> ids_;
  std::unordered_map<int64_t, int32_t> index_;
};

// Ratings as parallel arrays; row r is (user[r], item[r], value[r], timestamp[r]).
struct Ratings {
  std::vector<int32_t> user;       // dense user index
  std::vector<int32_t> item;       // dense item index
  std::vector<float> value;        // rating on the dataset's scale (stars), or 0/1 for likes
  std::vector<int64_t> timestamp;  // seconds since the epoch; 0 when the format has none

  size_t size() const { return user.size(); }
  void reserve(size_t n) {
    user.reserve(n);
    item.reserve(n);
    value.reserve(n);
    timestamp.reserve(n);
  }
  void push_back(int32_t u, int32_t i, float v, int64_t ts) {
    user.push_back(u);
    item.push_back(i);
    value.push_back(v);
    timestamp.push_back(ts);
  }
  // Rows `rows` of this, in that order.
  Ratings subset(const std::vector<uint32_t>& rows) const;
};

// Per-item metadata, indexed by dense item index. Genres are a bitmask over genre_names (<= 64).
struct ItemMeta {
  std::vector<std::string> title;
  std::vector<int32_t> year;     // 0 = unknown
  std::vector<uint64_t> genres;  // bit g set = item has genre_names[g]
  std::vector<std::string> genre_names;
};

// One demographic column of the users, indexed by dense user index.
struct DemographicColumn {
  std::string name;
  bool categorical = false;
  std::vector<float> numeric;           // numeric columns; NaN = missing
  std::vector<int32_t> code;            // categorical columns: index into categories, -1 = missing
  std::vector<std::string> categories;  // categorical columns: names in order of first appearance
};

struct UserMeta {
  std::vector<DemographicColumn> columns;  // empty when the data has no demographics
};

struct Dataset {
  std::string source;                     // directory it was read from
  DataFormat format = DataFormat::kAuto;  // read from; kAuto when built in memory (tests)
  double rating_min = 0.5;
  double rating_max = 5.0;
  IdMap users;
  IdMap items;  // every catalogue item, rated or not
  Ratings ratings;
  ItemMeta item_meta;              // sized items.size()
  UserMeta user_meta;              // columns sized users.size()
  int64_t duplicates_dropped = 0;  // repeated (user, item) ratings removed (data.duplicates: last)

  int32_t num_users() const { return users.size(); }
  int32_t num_items() const { return items.size(); }
};

}  // namespace towerrec

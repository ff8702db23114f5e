#include "serve/candidate_generators.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "run/run_data.h"

namespace towerrec {
namespace {

// Item rows by descending count, ascending row on ties; only items with count > 0.
std::vector<int32_t> by_popularity(const std::vector<int64_t>& count) {
  std::vector<int32_t> order;
  for (size_t i = 0; i < count.size(); ++i)
    if (count[i] > 0) order.push_back(static_cast<int32_t>(i));
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    return count[static_cast<size_t>(a)] != count[static_cast<size_t>(b)]
               ? count[static_cast<size_t>(a)] > count[static_cast<size_t>(b)]
               : a < b;
  });
  return order;
}

// Training rows grouped by user (ascending), latest first (ties: later row first).
std::vector<uint32_t> training_rows_latest_first(const RunData& run) {
  const Ratings& r = run.data.ratings;
  std::vector<uint32_t> rows = run.train_rows;
  std::sort(rows.begin(), rows.end(), [&](uint32_t a, uint32_t b) {
    if (r.user[a] != r.user[b]) return r.user[a] < r.user[b];
    if (r.timestamp[a] != r.timestamp[b]) return r.timestamp[a] > r.timestamp[b];
    return a > b;
  });
  return rows;
}

// The top `genre_top` items of each genre, walking `order` (items by popularity).
std::vector<std::vector<int32_t>> top_items_per_genre(const Dataset& d,
                                                      const std::vector<int32_t>& order,
                                                      int64_t genre_top) {
  const int n_genres = static_cast<int>(d.item_meta.genre_names.size());
  std::vector<std::vector<int32_t>> lists(static_cast<size_t>(n_genres));
  int full = 0;
  for (int32_t i : order) {
    uint64_t bits = d.item_meta.genres[static_cast<size_t>(i)];
    for (int g = 0; bits && g < n_genres; ++g, bits >>= 1) {
      auto& list = lists[static_cast<size_t>(g)];
      if ((bits & 1) && static_cast<int64_t>(list.size()) < genre_top) {
        list.push_back(i);
        if (static_cast<int64_t>(list.size()) == genre_top) ++full;
      }
    }
    if (full == n_genres) break;
  }
  return lists;
}

// Each user's `tg` most-rated genres, most first, [users, tg], -1 padded. `rows` grouped by user.
std::vector<int8_t> most_rated_genres(const Dataset& d, const std::vector<uint32_t>& rows,
                                      int64_t tg) {
  const Ratings& r = d.ratings;
  const int n_genres = static_cast<int>(d.item_meta.genre_names.size());
  std::vector<int8_t> out(static_cast<size_t>(d.num_users() * tg), -1);
  if (tg == 0) return out;
  std::vector<int32_t> gcount(static_cast<size_t>(n_genres));
  std::vector<int> gorder(static_cast<size_t>(n_genres));
  for (size_t k = 0; k < rows.size();) {
    const int32_t u = r.user[rows[k]];
    std::fill(gcount.begin(), gcount.end(), 0);
    for (; k < rows.size() && r.user[rows[k]] == u; ++k) {
      uint64_t bits = d.item_meta.genres[static_cast<size_t>(r.item[rows[k]])];
      for (int g = 0; bits; ++g, bits >>= 1)
        if (bits & 1) ++gcount[static_cast<size_t>(g)];
    }
    std::iota(gorder.begin(), gorder.end(), 0);
    std::stable_sort(gorder.begin(), gorder.end(), [&](int a, int b) {
      return gcount[static_cast<size_t>(a)] > gcount[static_cast<size_t>(b)];
    });
    for (int64_t j = 0; j < tg && j < n_genres; ++j)
      if (gcount[static_cast<size_t>(gorder[static_cast<size_t>(j)])] > 0)
        out[static_cast<size_t>(u * tg + j)] = static_cast<int8_t>(gorder[static_cast<size_t>(j)]);
  }
  return out;
}

// The categorical demographic column `segment` names ("auto": the first; "": none). Throws
// UsageError when it names none of the data's.
const DemographicColumn* find_segment_column(const Dataset& d, const std::string& segment) {
  const DemographicColumn* col = nullptr;
  std::string available;
  for (const DemographicColumn& c : d.user_meta.columns) {
    if (!c.categorical) continue;
    available += (available.empty() ? "" : ", ") + c.name;
    if (!col && (segment == "auto" || segment == c.name)) col = &c;
  }
  if (!col && segment != "auto" && !segment.empty())
    throw UsageError(
        "serve.retrieval.segment: expected a categorical demographic column of the data (" +
        (available.empty() ? std::string("it has none") : available) + ") or auto, got \"" +
        segment + "\"");
  return col;
}

// The `take` most rated items (training rows) among the users of each category of `col`.
std::vector<std::vector<int32_t>> top_items_per_segment(const RunData& run,
                                                        const DemographicColumn& col,
                                                        int64_t take_max) {
  const Ratings& r = run.data.ratings;
  const size_t n_seg = col.categories.size();
  std::vector<uint64_t> keys;
  keys.reserve(run.train_rows.size());
  for (uint32_t row : run.train_rows) {
    const int32_t s = col.code[static_cast<size_t>(r.user[row])];
    if (s >= 0)
      keys.push_back((static_cast<uint64_t>(s) << 32) | static_cast<uint32_t>(r.item[row]));
  }
  std::sort(keys.begin(), keys.end());
  std::vector<std::vector<std::pair<int64_t, int32_t>>> counts(n_seg);  // (-count, item)
  for (size_t k = 0; k < keys.size();) {
    size_t e = k;
    while (e < keys.size() && keys[e] == keys[k]) ++e;
    counts[keys[k] >> 32].emplace_back(-static_cast<int64_t>(e - k),
                                       static_cast<int32_t>(keys[k] & 0xffffffffu));
    k = e;
  }
  std::vector<std::vector<int32_t>> top(n_seg);
  for (size_t s = 0; s < n_seg; ++s) {
    auto& c = counts[s];
    const size_t take = std::min<size_t>(c.size(), static_cast<size_t>(take_max));
    std::partial_sort(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(take), c.end());
    for (size_t j = 0; j < take; ++j) top[s].push_back(c[j].second);
  }
  return top;
}

}  // namespace

CandidateGenerators::CandidateGenerators(const RunData& run, const RetrievalOptions& o)
    : top_genres_(o.top_genres) {
  const Dataset& d = run.data;
  const Ratings& r = d.ratings;
  const int32_t n_users = d.num_users(), n_items = d.num_items();

  // Popularity.
  std::vector<int64_t> count(static_cast<size_t>(n_items), 0);
  for (uint32_t row : run.train_rows) ++count[static_cast<size_t>(r.item[row])];
  const std::vector<int32_t> order = by_popularity(count);
  popular_.assign(order.begin(),
                  order.begin() + std::min<int64_t>(o.popular, static_cast<int64_t>(order.size())));

  // Recent items: training rows grouped by user, latest first.
  const std::vector<uint32_t> rows = training_rows_latest_first(run);
  recent_offset_.assign(static_cast<size_t>(n_users) + 1, 0);
  for (size_t k = 0; k < rows.size();) {
    const int32_t u = r.user[rows[k]];
    size_t e = k;
    while (e < rows.size() && r.user[rows[e]] == u) ++e;
    recent_offset_[static_cast<size_t>(u) + 1] =
        std::min<int64_t>(o.last_n, static_cast<int64_t>(e - k));
    k = e;
  }
  std::partial_sum(recent_offset_.begin(), recent_offset_.end(), recent_offset_.begin());
  recent_.resize(static_cast<size_t>(recent_offset_.back()));
  for (size_t k = 0; k < rows.size();) {
    const int32_t u = r.user[rows[k]];
    int64_t at = recent_offset_[static_cast<size_t>(u)];
    const int64_t end = recent_offset_[static_cast<size_t>(u) + 1];
    for (; k < rows.size() && r.user[rows[k]] == u; ++k)
      if (at < end) recent_[static_cast<size_t>(at++)] = r.item[rows[k]];
  }

  // Genres: top items per genre, and each user's most-rated genres.
  const int n_genres = static_cast<int>(d.item_meta.genre_names.size());
  const bool has_genres = n_genres > 0 && d.item_meta.genres.size() == static_cast<size_t>(n_items);
  genre_top_.assign(static_cast<size_t>(n_genres), {});
  if (has_genres && o.genre_top > 0 && o.top_genres > 0)
    genre_top_ = top_items_per_genre(d, order, o.genre_top);
  top_genres_ = has_genres ? o.top_genres : 0;
  user_genres_ = most_rated_genres(d, rows, top_genres_);

  // Segments.
  const DemographicColumn* col = find_segment_column(d, o.segment);
  if (col && o.segment_popular > 0) {
    segment_name_ = col->name;
    user_segment_ = col->code;
    segment_top_ = top_items_per_segment(run, *col, o.segment_popular);
  }
}

std::vector<int> CandidateGenerators::user_genres(int32_t user) const {
  std::vector<int> out;
  for (int64_t j = 0; j < top_genres_; ++j) {
    const int g = user_genres_[static_cast<size_t>(user * top_genres_ + j)];
    if (g >= 0) out.push_back(g);
  }
  return out;
}

int32_t CandidateGenerators::segment_of(int32_t user) const {
  return user_segment_.empty() ? -1 : user_segment_[static_cast<size_t>(user)];
}

void CandidateGenerators::append_static(int32_t user, std::vector<int32_t>& out) const {
  for (int64_t j = 0; j < top_genres_; ++j) {
    const int g = user_genres_[static_cast<size_t>(user * top_genres_ + j)];
    if (g >= 0)
      out.insert(out.end(), genre_top_[static_cast<size_t>(g)].begin(),
                 genre_top_[static_cast<size_t>(g)].end());
  }
  out.insert(out.end(), popular_.begin(), popular_.end());
  const int32_t s = segment_of(user);
  if (s >= 0 && static_cast<size_t>(s) < segment_top_.size())
    out.insert(out.end(), segment_top_[static_cast<size_t>(s)].begin(),
               segment_top_[static_cast<size_t>(s)].end());
}

}  // namespace towerrec

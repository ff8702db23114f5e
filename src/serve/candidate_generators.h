// The course's candidate generators for retrieval + ranking, all from a run's TRAINING ratings:
//   recent    the user's last `last_n` rated items (latest timestamp first; ties: later row first),
//             the seeds whose nearest items retrieval adds (serve/retrieval.h finds those)
//   genres    the top `genre_top` items (by training rating count) of each of the user's
//             `top_genres` most-rated genres
//   popular   the `popular` most rated items overall
//   segment   the `segment_popular` most rated items among the users sharing the user's category in
//             the demographic column `segment` ("auto": the first categorical column; none: off)
// Popularity ties rank the lower item row first. Built once (O(ratings log ratings)); queries are
// const and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/options.h"

namespace towerrec {

struct RunData;

class CandidateGenerators {
 public:
  // Throws UsageError when `segment` names no categorical demographic column of the data.
  CandidateGenerators(const RunData& run, const RetrievalOptions& options);

  // The user's recent items, latest first (at most last_n).
  const int32_t* recent_begin(int32_t user) const { return recent_.data() + recent_offset_[user]; }
  const int32_t* recent_end(int32_t user) const {
    return recent_.data() + recent_offset_[user + 1];
  }

  // Appends the genre, popular and segment candidates of `user` to `out` (duplicates possible).
  void append_static(int32_t user, std::vector<int32_t>& out) const;

  const std::vector<int32_t>& popular() const { return popular_; }
  const std::vector<int32_t>& genre_top(int g) const { return genre_top_[static_cast<size_t>(g)]; }
  // The user's most-rated genres, most first (at most top_genres).
  std::vector<int> user_genres(int32_t user) const;
  // "" when segments are off.
  const std::string& segment_column() const { return segment_name_; }
  // -1 when the user has no category (or segments are off).
  int32_t segment_of(int32_t user) const;
  const std::vector<int32_t>& segment_top(int32_t segment) const {
    return segment_top_[static_cast<size_t>(segment)];
  }

 private:
  int64_t top_genres_;
  std::vector<int64_t> recent_offset_;
  std::vector<int32_t> recent_;
  std::vector<int32_t> popular_;
  std::vector<std::vector<int32_t>> genre_top_;
  std::vector<int8_t> user_genres_;  // [users, top_genres], -1 padded
  std::string segment_name_;
  std::vector<int32_t> user_segment_;
  std::vector<std::vector<int32_t>> segment_top_;
};

}  // namespace towerrec

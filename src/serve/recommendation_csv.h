// The output of `recommend` (exact and retrieval): CSV `user_id,rank,item_id,score`, one row per
// recommendation, users in request order, rank 1 = highest score, score = the towers' dot product
// (scaled target units, [-1, 1]) printed with 6 significant digits. With `titles` a fifth column
// `title` holds the item's catalogue title (empty when the data has none), CSV-quoted
// (serve/csv_field.h). Written through AtomicFile.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace towerrec {

class AtomicFile;
struct Dataset;

class RecommendationCsv {
 public:
  RecommendationCsv(const std::string& path, const Dataset& data, bool titles = false);
  ~RecommendationCsv();
  RecommendationCsv(const RecommendationCsv&) = delete;
  RecommendationCsv& operator=(const RecommendationCsv&) = delete;

  // The first `found` of items/scores (dense item rows, best first).
  void write(int32_t user, const int64_t* items, const float* scores, int64_t found);
  // The same for a user given by external id (one the run's data does not hold: a new user).
  void write_id(int64_t user_id, const int64_t* items, const float* scores, int64_t found);
  void commit();
  int64_t rows() const { return rows_; }

 private:
  std::unique_ptr<AtomicFile> file_;
  const Dataset& data_;
  bool titles_;
  int64_t rows_ = 0;
  std::string buf_;
};

}  // namespace towerrec

// Summary of a Dataset for `towerrec inspect`: counts, sparsity, rating histogram, items per genre,
// demographics. Computing is separate from formatting so tests and other tools can use the numbers.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace towerrec {

struct Dataset;

struct DatasetStats {
  struct Demographic {
    std::string name;
    bool categorical = false;
    double min = 0, mean = 0, max = 0;  // numeric columns, over present values
    std::vector<std::pair<std::string, int64_t>>
        categories;       // categorical: users per category, most first
    int64_t missing = 0;  // users without a value
  };

  std::string source;
  std::string format;
  int64_t users = 0;
  int64_t items = 0;
  int64_t rated_items = 0;  // items with at least one rating
  int64_t ratings = 0;
  double sparsity = 0;  // 1 - ratings / (users * items)
  double rating_mean = 0;
  double rating_min = 0, rating_max = 0;  // declared scale
  // (value, count) ascending by value: one entry per distinct value when there are at most 20, else
  // 10 equal-width bins over the declared scale keyed by their lower edge (histogram_binned).
  std::vector<std::pair<double, int64_t>> histogram;
  bool histogram_binned = false;
  std::vector<std::pair<std::string, int64_t>> genre_items;  // items per genre, genre_names order
  int64_t items_without_genre = 0;
  std::vector<Demographic> demographics;
  int64_t duplicates_dropped = 0;
};

DatasetStats compute_dataset_stats(const Dataset& data);

// Human-readable report, one fact per line.
std::string format_dataset_stats(const DatasetStats& stats);

}  // namespace towerrec

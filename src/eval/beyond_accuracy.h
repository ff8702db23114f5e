// Beyond-accuracy metrics of top-K lists (Jannach & Castells, "Recommender Systems: A Primer",
// arXiv 2302.02579): how much of the catalogue a model recommends, how evenly, how popular and how
// novel the recommended items are, and how different the items within one list are. Computed over
// the same lists as Recall@K (eval/ranking_eval.h), so a model that wins Recall@K by recommending
// the same blockbusters to everyone shows it here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace towerrec {

struct Dataset;

// Item vectors for intra-list diversity: row-major [num_items, dim]. `name` says where they come
// from ("item vectors" of a model, or "genres"); it is printed beside the diversity figure.
struct ItemVectors {
  std::string name;
  int64_t dim = 0;
  std::vector<float> data;
  bool empty() const { return dim == 0 || data.empty(); }
};

// Each item's genre bitmask as a 0/1 vector (Dataset::item_meta), named "genres": the diversity
// vectors of models that have no item vectors. Empty when the data has no genres.
ItemVectors genre_vectors(const Dataset& data);

struct BeyondAccuracy {
  int64_t lists = 0;                     // lists (users) summarised
  std::optional<double> coverage;        // distinct recommended items / catalogue items
  std::optional<double> gini;            // of the per-item recommendation counts, catalogue-wide
  std::optional<double> avg_popularity;  // mean training-rating count of recommended items
  std::optional<double> novelty;         // mean −log2(training count / training ratings)
  std::optional<double> diversity;       // mean over lists of 1 − mean pairwise cosine
  std::string diversity_vectors;         // ItemVectors::name used for `diversity`
};

// Additive sums over lists, so per-shard tallies (distributed evaluation) add up to the whole:
// add() lists, merge shards with the flat() vector (all-reduce it, then from_flat), finish().
class BeyondAccuracyTally {
 public:
  BeyondAccuracyTally() = default;
  // `train_count` [num_items]: each item's number of training ratings; `train_ratings` their sum.
  // `vectors` (may be null or empty: no diversity; its name must not be empty) must outlive the
  // tally's add() calls.
  BeyondAccuracyTally(std::vector<int64_t> train_count, int64_t train_ratings,
                      const ItemVectors* vectors);

  // One user's list, best first (item indices < num_items).
  void add(const std::vector<int32_t>& list);
  BeyondAccuracy finish() const;

  // [num_items recommendation counts..., lists, entries, popularity sum, novelty sum, diversity
  // sum, lists with a diversity]: the state that adds across shards.
  std::vector<double> flat() const;
  void from_flat(const std::vector<double>& v);

 private:
  std::vector<int64_t> train_count_;
  int64_t train_ratings_ = 0;
  const ItemVectors* vectors_ = nullptr;  // read by add() only
  std::string diversity_name_;            // vectors_->name; empty: no diversity
  std::vector<double> inv_norm_;          // 1/‖v_i‖ (0 for a zero vector)
  std::vector<double> rec_count_;
  double lists_ = 0, entries_ = 0, popularity_sum_ = 0, novelty_sum_ = 0, diversity_sum_ = 0,
         diversity_lists_ = 0;
};

// Gini index of non-negative counts: Σ_i (2i − n − 1) c_(i) / (n Σ c) over the counts sorted
// ascending (i from 1): 0 when every item is recommended equally often, (n − 1)/n when one item
// takes every slot. nullopt when the counts are empty or all zero.
std::optional<double> gini_index(std::vector<double> counts);

}  // namespace towerrec

#include "eval/beyond_accuracy.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "data/dataset.h"

namespace towerrec {

ItemVectors genre_vectors(const Dataset& data) {
  ItemVectors v;
  const ItemMeta& m = data.item_meta;
  if (m.genre_names.empty() || m.genres.size() != static_cast<size_t>(data.num_items())) return v;
  v.name = "genres";
  v.dim = static_cast<int64_t>(m.genre_names.size());
  v.data.assign(static_cast<size_t>(data.num_items()) * v.dim, 0.f);
  for (int32_t i = 0; i < data.num_items(); ++i)
    for (int64_t g = 0; g < v.dim; ++g)
      if (m.genres[i] >> g & 1) v.data[i * v.dim + g] = 1.f;
  return v;
}

std::optional<double> gini_index(std::vector<double> counts) {
  const double n = static_cast<double>(counts.size());
  double total = 0;
  for (double c : counts) total += c;
  if (counts.empty() || total <= 0) return std::nullopt;
  std::sort(counts.begin(), counts.end());
  double acc = 0;
  for (size_t i = 0; i < counts.size(); ++i)
    acc += (2.0 * static_cast<double>(i + 1) - n - 1.0) * counts[i];
  return acc / (n * total);
}

BeyondAccuracyTally::BeyondAccuracyTally(std::vector<int64_t> train_count, int64_t train_ratings,
                                         const ItemVectors* vectors)
    : train_count_(std::move(train_count)),
      train_ratings_(train_ratings),
      vectors_(vectors && !vectors->empty() ? vectors : nullptr),
      rec_count_(train_count_.size(), 0.0) {
  if (!vectors_) return;
  diversity_name_ = vectors_->name;
  TOWERREC_CHECK(vectors_->data.size() == train_count_.size() * static_cast<size_t>(vectors_->dim));
  inv_norm_.resize(train_count_.size());
  for (size_t i = 0; i < train_count_.size(); ++i) {
    double s = 0;
    for (int64_t d = 0; d < vectors_->dim; ++d) {
      const double x = vectors_->data[i * vectors_->dim + d];
      s += x * x;
    }
    inv_norm_[i] = s > 0 ? 1.0 / std::sqrt(s) : 0.0;
  }
}

void BeyondAccuracyTally::add(const std::vector<int32_t>& list) {
  lists_ += 1;
  for (int32_t i : list) {
    TOWERREC_CHECK(i >= 0 && static_cast<size_t>(i) < rec_count_.size());
    rec_count_[i] += 1;
    entries_ += 1;
    popularity_sum_ += static_cast<double>(train_count_[i]);
    // An item without training ratings counts as rated once, so its novelty stays finite.
    const double share = static_cast<double>(std::max<int64_t>(train_count_[i], 1)) /
                         static_cast<double>(std::max<int64_t>(train_ratings_, 1));
    novelty_sum_ += -std::log2(share);
  }
  if (!vectors_ || list.size() < 2) return;
  // A zero vector (an item without genres) has cosine 0 with everything: fully "different".
  const int64_t dim = vectors_->dim;
  double cos_sum = 0;
  for (size_t a = 0; a < list.size(); ++a)
    for (size_t b = a + 1; b < list.size(); ++b) {
      const float* x = vectors_->data.data() + list[a] * dim;
      const float* y = vectors_->data.data() + list[b] * dim;
      double dot = 0;
      for (int64_t d = 0; d < dim; ++d) dot += static_cast<double>(x[d]) * y[d];
      cos_sum += dot * inv_norm_[list[a]] * inv_norm_[list[b]];
    }
  const double pairs = static_cast<double>(list.size() * (list.size() - 1) / 2);
  diversity_sum_ += 1.0 - cos_sum / pairs;
  diversity_lists_ += 1;
}

BeyondAccuracy BeyondAccuracyTally::finish() const {
  BeyondAccuracy b;
  b.lists = static_cast<int64_t>(std::llround(lists_));
  if (entries_ <= 0 || rec_count_.empty()) return b;
  double distinct = 0;
  for (double c : rec_count_) distinct += c > 0;
  b.coverage = distinct / static_cast<double>(rec_count_.size());
  b.gini = gini_index(rec_count_);
  b.avg_popularity = popularity_sum_ / entries_;
  b.novelty = novelty_sum_ / entries_;
  if (!diversity_name_.empty() && diversity_lists_ > 0) {
    b.diversity = diversity_sum_ / diversity_lists_;
    b.diversity_vectors = diversity_name_;
  }
  return b;
}

std::vector<double> BeyondAccuracyTally::flat() const {
  std::vector<double> v = rec_count_;
  v.insert(v.end(),
           {lists_, entries_, popularity_sum_, novelty_sum_, diversity_sum_, diversity_lists_});
  return v;
}

void BeyondAccuracyTally::from_flat(const std::vector<double>& v) {
  TOWERREC_CHECK(v.size() == rec_count_.size() + 6);
  const size_t n = rec_count_.size();
  std::copy(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n), rec_count_.begin());
  lists_ = v[n];
  entries_ = v[n + 1];
  popularity_sum_ = v[n + 2];
  novelty_sum_ = v[n + 3];
  diversity_sum_ = v[n + 4];
  diversity_lists_ = v[n + 5];
}

}  // namespace towerrec

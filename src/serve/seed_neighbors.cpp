#include "serve/seed_neighbors.h"

#include <algorithm>
#include <utility>

#include "serve/candidate_generators.h"

namespace towerrec {

SeedNeighbors::SeedNeighbors(MatrixRef items, std::shared_ptr<const ItemSearch> search, int64_t m)
    : vectors_(items),
      search_(std::move(search)),
      m_(m),
      items_(static_cast<size_t>(items.rows * m), -1),
      done_(static_cast<size_t>(items.rows), 0) {}

int64_t SeedNeighbors::add_seeds_of(const std::vector<int32_t>& users,
                                    const CandidateGenerators& generators) {
  std::vector<int32_t> fresh;
  for (int32_t u : users)
    for (const int32_t* p = generators.recent_begin(u); p != generators.recent_end(u); ++p)
      if (!done_[static_cast<size_t>(*p)]) fresh.push_back(*p);
  std::sort(fresh.begin(), fresh.end());
  fresh.erase(std::unique(fresh.begin(), fresh.end()), fresh.end());
  const int64_t ns = static_cast<int64_t>(fresh.size());
  if (ns == 0) return 0;
  const int64_t dim = vectors_.cols;
  std::vector<float> queries(static_cast<size_t>(ns * dim));
  std::vector<int64_t> self_off(static_cast<size_t>(ns + 1)), self(static_cast<size_t>(ns));
  for (int64_t i = 0; i < ns; ++i) {
    const float* v = vectors_.row(fresh[static_cast<size_t>(i)]);
    std::copy(v, v + dim, queries.begin() + i * dim);
    self_off[static_cast<size_t>(i)] = i;
    self[static_cast<size_t>(i)] = fresh[static_cast<size_t>(i)];
  }
  self_off[static_cast<size_t>(ns)] = ns;
  const std::vector<int64_t> found =
      search_->search({queries.data(), ns, dim}, m_, {self_off.data(), self.data()}).items;
  for (int64_t i = 0; i < ns; ++i) {
    const int32_t seed = fresh[static_cast<size_t>(i)];
    for (int64_t j = 0; j < m_; ++j)
      items_[static_cast<size_t>(seed * m_ + j)] =
          static_cast<int32_t>(found[static_cast<size_t>(i * m_ + j)]);
    done_[static_cast<size_t>(seed)] = 1;
  }
  return ns;
}

}  // namespace towerrec

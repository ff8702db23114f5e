#include "serve/exact_recommender.h"

#include <algorithm>
#include <chrono>
#include <numeric>

#include "core/exact_topk.h"
#include "serve/recommendation_csv.h"
#include "serve/seen_items.h"
#include "serve/vector_source.h"

namespace towerrec {
namespace {

// Users embedded and handed to the scorer at once: [slice, dim] floats plus their exclusions.
constexpr int64_t kRecommendSlice = 16384;

double elapsed_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

std::vector<int32_t> requested_users(const VectorSource& source,
                                     const std::vector<int32_t>& users) {
  if (!users.empty()) return users;
  std::vector<int32_t> all(static_cast<size_t>(source.num_users()));
  std::iota(all.begin(), all.end(), 0);
  return all;
}

RecommendSummary recommend_exact(const VectorSource& source, const ServeOptions& options,
                                 const RecommendRequest& request, const std::string& out_csv,
                                 const ProgressFn& progress) {
  RecommendSummary s;
  auto t0 = std::chrono::steady_clock::now();
  const std::vector<float> items = source.all_items();
  s.embed_seconds = elapsed_since(t0);
  t0 = std::chrono::steady_clock::now();
  const int64_t dim = source.dim();
  TopKOptions o;
  o.k = options.k;
  o.threads = options.scoring_threads();
  o.query_block = options.query_block;
  o.item_chunk = options.item_chunk;
  const ExactTopK topk(
      {items.data(), source.num_items(), dim}, o,
      std::vector<int64_t>(request.excluded_items.begin(), request.excluded_items.end()));
  const SeenItems seen(source.run(), options.exclude_seen);
  const std::vector<int32_t> users = requested_users(source, request.users);
  const int64_t n = static_cast<int64_t>(users.size());
  RecommendationCsv csv(out_csv, source.run().data, request.titles);
  std::vector<int64_t> offsets, excluded;
  for (int64_t s0 = 0; s0 < n; s0 += kRecommendSlice) {
    const int64_t m = std::min(kRecommendSlice, n - s0);
    const std::vector<int32_t> slice(users.begin() + s0, users.begin() + s0 + m);
    const std::vector<float> q = source.users(slice);
    seen.csr(slice.data(), m, offsets, excluded);
    topk.search({q.data(), m, dim}, {offsets.data(), excluded.data()}, [&](const TopKBlock& b) {
      for (int64_t r = 0; r < b.count; ++r)
        csv.write(slice[static_cast<size_t>(b.first_query + r)], b.items + r * b.k,
                  b.scores + r * b.k, b.found[r]);
      if (progress)
        progress({"recommend", static_cast<uint64_t>(s0 + b.first_query + b.count),
                  static_cast<uint64_t>(n), "users", ""});
    });
  }
  csv.commit();
  s.users = n;
  s.rows = csv.rows();
  s.seconds = elapsed_since(t0);
  s.users_per_s = s.seconds > 0 ? static_cast<double>(n) / s.seconds : 0;
  return s;
}

}  // namespace towerrec

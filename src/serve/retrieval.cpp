#include "serve/retrieval.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/exact_topk.h"
#include "core/parallel.h"
#include "serve/ann_index.h"
#include "serve/candidate_generators.h"
#include "serve/item_search_factory.h"
#include "serve/recommendation_csv.h"
#include "serve/retrieval_report_json.h"
#include "serve/seen_items.h"
#include "serve/topk_recall.h"
#include "serve/vector_source.h"

namespace towerrec {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Users per slice: bounds the per-slice vectors, seed neighbours and results.
constexpr int64_t kSlice = 8192;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Nearest items of seed items, computed once per seed for the whole run (seeds repeat across users:
// popular items are everybody's recent items). [items, m] item rows, -1 padded; `done` marks rows
// filled. Memory: items * m int32, allocated only when the seed generator is on.
struct NeighborCache {
  int64_t m = 0;
  std::vector<int32_t> items;
  std::vector<uint8_t> done;
  const int32_t* of(int32_t seed) const { return items.data() + static_cast<int64_t>(seed) * m; }
};

}  // namespace

std::string retrieval_report_path(const std::string& out_csv) {
  const std::string ext = ".csv";
  if (out_csv.size() > ext.size() &&
      out_csv.compare(out_csv.size() - ext.size(), ext.size(), ext) == 0)
    return out_csv.substr(0, out_csv.size() - ext.size()) + ".retrieval.json";
  return out_csv + ".retrieval.json";
}

RetrievalReport recommend_retrieval(const VectorSource& source, const ServeOptions& options,
                                    const RecommendRequest& request, const std::string& out_csv,
                                    const std::string& index_path, const ProgressFn& progress) {
  const RetrievalOptions& ro = options.retrieval;
  const int64_t k = options.k, dim = source.dim(), n_items = source.num_items();
  RetrievalReport report;
  auto t0 = Clock::now();
  const std::vector<float> items = source.all_items();
  report.embed_seconds = since(t0);
  const MatrixRef item_ref{items.data(), n_items, dim};

  const bool seeds_on = ro.last_n > 0 && ro.per_item_m > 0;
  const bool need_index = ro.ann || (seeds_on && neighbors_from_index(ro));
  std::shared_ptr<AnnIndex> index;
  if (need_index) {
    RetrievalIndexReport ji;
    t0 = Clock::now();
    if (!index_path.empty() && fs::exists(index_path)) {
      index = std::make_shared<AnnIndex>(AnnIndex::load(index_path));
      if (index->size() != n_items || index->dim() != dim)
        throw Error(index_path + ": an ANN index of " + std::to_string(index->size()) +
                    " vectors of dimension " + std::to_string(index->dim()) +
                    ", but the catalogue has " + std::to_string(n_items) + " of dimension " +
                    std::to_string(dim) + " (delete it to rebuild)");
      const uint64_t catalogue = AnnIndex::fingerprint_of(item_ref);
      if (index->items_fingerprint() != catalogue)
        throw Error(index_path +
                    ": an ANN index built from other item vectors than this "
                    "catalogue's (items_fnv1a " +
                    std::to_string(index->items_fingerprint()) + ", the catalogue's " +
                    std::to_string(catalogue) + "; delete it to rebuild)");
      ji.loaded = true;
    } else {
      index = std::make_shared<AnnIndex>(AnnIndex::build(item_ref, options.ann, progress));
      if (!index_path.empty()) index->save(index_path);
      ji.loaded = false;
    }
    ji.distinct = index->distinct();
    ji.build_seconds = since(t0);
    ji.memory_mb = static_cast<double>(index->memory_bytes()) / 1048576.0;
    ji.m = index->options().m;
    ji.ef_construction = index->options().ef_construction;
    // Each search must be able to return its k: the user's ann_candidates, a seed's per_item_m
    // neighbours plus the seed itself (only when those searches happen).
    const int64_t seed_k = seeds_on && neighbors_from_index(ro) ? ro.per_item_m + 1 : 0;
    index->set_ef(std::max({options.ann.ef_search, ro.ann ? ro.ann_candidates : 0, seed_k, k}));
    index->set_search_threads(options.threads);
    ji.ef_search = index->ef();
    report.index = ji;
  }
  std::shared_ptr<const ItemSearch> neighbor_search;
  if (seeds_on) neighbor_search = make_neighbor_search(ro, item_ref, options.threads, index);

  t0 = Clock::now();
  const CandidateGenerators gen(source.run(), ro);
  const SeenItems seen(source.run(), options.exclude_seen);
  std::vector<int32_t> global(request.excluded_items);
  std::sort(global.begin(), global.end());
  const std::vector<int32_t> users = requested_users(source, request.users);
  const int64_t n = static_cast<int64_t>(users.size());
  const int64_t step = ro.recall_users == 0 || ro.recall_users >= n ? 1 : n / ro.recall_users;
  std::vector<int64_t> sample_pos;  // positions in `users` scored exactly too
  for (int64_t p = 0;
       p < n && (ro.recall_users == 0 || static_cast<int64_t>(sample_pos.size()) < ro.recall_users);
       p += step)
    sample_pos.push_back(p);
  std::vector<int64_t> sample_items(sample_pos.size() * static_cast<size_t>(k), -1);
  std::vector<float> sample_scores(sample_items.size(), 0.f);
  size_t next_sample = 0;

  NeighborCache cache;
  if (seeds_on) {
    cache.m = ro.per_item_m;
    cache.items.assign(static_cast<size_t>(n_items * cache.m), -1);
    cache.done.assign(static_cast<size_t>(n_items), 0);
  }
  int64_t seed_searches = 0;
  RecommendationCsv csv(out_csv, source.run().data, request.titles);
  std::vector<int64_t> res_items;
  std::vector<float> res_scores;
  std::vector<int64_t> res_found, cand_count;
  std::vector<int64_t> offsets, excluded;
  int64_t total_candidates = 0;
  for (int64_t s0 = 0; s0 < n; s0 += kSlice) {
    const int64_t m = std::min(kSlice, n - s0);
    const std::vector<int32_t> slice(users.begin() + s0, users.begin() + s0 + m);
    const std::vector<float> q = source.users(slice);

    // Nearest items of the slice's new seed items (each seed searched once per run).
    if (seeds_on) {
      std::vector<int32_t> fresh;
      for (int32_t u : slice)
        for (const int32_t* p = gen.recent_begin(u); p != gen.recent_end(u); ++p)
          if (!cache.done[static_cast<size_t>(*p)]) fresh.push_back(*p);
      std::sort(fresh.begin(), fresh.end());
      fresh.erase(std::unique(fresh.begin(), fresh.end()), fresh.end());
      const int64_t ns = static_cast<int64_t>(fresh.size());
      std::vector<int64_t> found;
      if (ns > 0) {
        // Each seed's own vector is the query, the seed itself excluded.
        std::vector<float> sq(static_cast<size_t>(ns * dim));
        std::vector<int64_t> self_off(static_cast<size_t>(ns + 1)), self(static_cast<size_t>(ns));
        for (int64_t i = 0; i < ns; ++i) {
          const float* v = item_ref.row(fresh[static_cast<size_t>(i)]);
          std::copy(v, v + dim, sq.begin() + i * dim);
          self_off[static_cast<size_t>(i)] = i;
          self[static_cast<size_t>(i)] = fresh[static_cast<size_t>(i)];
        }
        self_off[static_cast<size_t>(ns)] = ns;
        found =
            neighbor_search->search({sq.data(), ns, dim}, cache.m, {self_off.data(), self.data()})
                .items;
      }
      for (int64_t i = 0; i < ns; ++i) {
        const int32_t seed = fresh[static_cast<size_t>(i)];
        for (int64_t j = 0; j < cache.m; ++j)
          cache.items[static_cast<size_t>(seed * cache.m + j)] =
              static_cast<int32_t>(found[static_cast<size_t>(i * cache.m + j)]);
        cache.done[static_cast<size_t>(seed)] = 1;
      }
      seed_searches += ns;
    }
    // The ANN index's candidates for the user vectors, seen items filtered by the index search.
    TopKResult ann;
    if (ro.ann) {
      seen.csr(slice.data(), m, offsets, excluded);
      ann = index->search({q.data(), m, dim}, ro.ann_candidates, {offsets.data(), excluded.data()},
                          {}, options.threads);
    }

    res_items.assign(static_cast<size_t>(m * k), -1);
    res_scores.assign(static_cast<size_t>(m * k), 0.f);
    res_found.assign(static_cast<size_t>(m), 0);
    cand_count.assign(static_cast<size_t>(m), 0);
    parallel_ranges(m, options.threads, [&](int64_t b, int64_t e) {
      std::vector<int32_t> cand;
      std::vector<std::pair<float, int32_t>> scored;  // (-score, item)
      for (int64_t r = b; r < e; ++r) {
        const int32_t u = slice[static_cast<size_t>(r)];
        cand.clear();
        for (const int32_t* s = gen.recent_begin(u); seeds_on && s != gen.recent_end(u); ++s) {
          const int32_t* nn = cache.of(*s);
          for (int64_t j = 0; j < cache.m; ++j)
            if (nn[j] >= 0) cand.push_back(nn[j]);
        }
        gen.append_static(u, cand);
        if (ro.ann)
          for (int64_t j = 0; j < ann.found[static_cast<size_t>(r)]; ++j)
            cand.push_back(
                static_cast<int32_t>(ann.items[static_cast<size_t>(r * ro.ann_candidates + j)]));
        std::sort(cand.begin(), cand.end());
        cand.erase(std::unique(cand.begin(), cand.end()), cand.end());
        const float* qu = q.data() + r * dim;
        scored.clear();
        for (int32_t i : cand) {
          if (seen.contains(u, i) || std::binary_search(global.begin(), global.end(), i)) continue;
          scored.emplace_back(-dot_in_order(qu, item_ref.row(i), dim), i);
        }
        cand_count[static_cast<size_t>(r)] = static_cast<int64_t>(scored.size());
        const size_t take = std::min<size_t>(scored.size(), static_cast<size_t>(k));
        std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(take),
                          scored.end());
        for (size_t j = 0; j < take; ++j) {
          res_items[static_cast<size_t>(r * k) + j] = scored[j].second;
          res_scores[static_cast<size_t>(r * k) + j] = -scored[j].first;
        }
        res_found[static_cast<size_t>(r)] = static_cast<int64_t>(take);
      }
    });
    for (int64_t r = 0; r < m; ++r) {
      csv.write(slice[static_cast<size_t>(r)], res_items.data() + r * k, res_scores.data() + r * k,
                res_found[static_cast<size_t>(r)]);
      total_candidates += cand_count[static_cast<size_t>(r)];
      if (next_sample < sample_pos.size() && sample_pos[next_sample] == s0 + r) {
        std::copy(res_items.begin() + r * k, res_items.begin() + (r + 1) * k,
                  sample_items.begin() + static_cast<std::ptrdiff_t>(next_sample * k));
        std::copy(res_scores.begin() + r * k, res_scores.begin() + (r + 1) * k,
                  sample_scores.begin() + static_cast<std::ptrdiff_t>(next_sample * k));
        ++next_sample;
      }
    }
    if (progress)
      progress({"retrieve", static_cast<uint64_t>(s0 + m), static_cast<uint64_t>(n), "users", ""});
  }
  csv.commit();
  const double seconds = since(t0);

  // Recall@K against the exact top-K of the sampled users (same exclusions).
  t0 = Clock::now();
  std::vector<int32_t> sample_users;
  for (int64_t p : sample_pos) sample_users.push_back(users[static_cast<size_t>(p)]);
  RecallCount recall;
  if (!sample_users.empty()) {
    TopKOptions o;
    o.k = k;
    o.threads = options.threads;
    o.query_block = options.query_block;
    o.item_chunk = options.item_chunk;
    const ExactTopK topk(item_ref, o, std::vector<int64_t>(global.begin(), global.end()));
    const std::vector<float> sq = source.users(sample_users);
    seen.csr(sample_users.data(), static_cast<int64_t>(sample_users.size()), offsets, excluded);
    topk.search({sq.data(), static_cast<int64_t>(sample_users.size()), dim},
                {offsets.data(), excluded.data()}, [&](const TopKBlock& b) {
                  for (int64_t r = 0; r < b.count; ++r) {
                    const size_t at = static_cast<size_t>((b.first_query + r) * k);
                    recall.add(b.items + r * b.k, b.scores + r * b.k, b.found[r],
                               sample_items.data() + at, sample_scores.data() + at, k);
                  }
                  if (progress)
                    progress({"exact (recall)", static_cast<uint64_t>(b.first_query + b.count),
                              static_cast<uint64_t>(sample_users.size()), "users", ""});
                });
  }
  const double exact_seconds = since(t0);

  report.users = n;
  report.rows = csv.rows();
  report.k = k;
  report.candidates_per_user =
      n ? static_cast<double>(total_candidates) / static_cast<double>(n) : 0.0;
  report.generators = {ro.last_n,
                       ro.per_item_m,
                       ro.neighbors,
                       ro.top_genres,
                       ro.genre_top,
                       ro.popular,
                       gen.segment_column(),
                       gen.segment_column().empty() ? 0 : ro.segment_popular,
                       ro.ann,
                       ro.ann ? ro.ann_candidates : 0};
  report.seed_items_searched = seed_searches;
  report.recall_users = static_cast<int64_t>(sample_users.size());
  if (recall.truth) {
    report.recall_at_k = recall.tie_aware();
    report.recall_at_k_ids = recall.by_id();
  }
  report.seconds = seconds;
  report.users_per_s = seconds > 0 ? static_cast<double>(n) / seconds : 0.0;
  report.exact_users_per_s =
      exact_seconds > 0 ? static_cast<double>(sample_users.size()) / exact_seconds : 0.0;
  report.threads = options.threads;
  write_file_atomic(retrieval_report_path(out_csv), retrieval_report_json(report).dump(2) + "\n");
  return report;
}

}  // namespace towerrec

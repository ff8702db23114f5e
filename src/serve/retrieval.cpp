#include "serve/retrieval.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/exact_topk.h"
#include "core/parallel.h"
#include "serve/ann_index.h"
#include "serve/candidate_generators.h"
#include "serve/item_search_factory.h"
#include "serve/recall_sample.h"
#include "serve/recommendation_csv.h"
#include "serve/retrieval_index.h"
#include "serve/retrieval_report_json.h"
#include "serve/seed_neighbors.h"
#include "serve/seen_items.h"
#include "serve/topk_recall.h"
#include "serve/vector_source.h"

namespace towerrec {
namespace {

using Clock = std::chrono::steady_clock;

// Users per slice: bounds the per-slice vectors, seed neighbours and results.
constexpr int64_t kSlice = 8192;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// What ranking a user needs, fixed for the whole retrieval. Borrowed.
struct RetrievalRanking {
  const CandidateGenerators& generators;
  const SeenItems& seen;
  const std::vector<int32_t>& global;  // excluded for everybody, ascending
  const SeedNeighbors* seeds;          // nullptr: the seed generator is off
  MatrixRef items;
  int64_t k;
  int64_t ann_candidates;  // 0: no ANN candidates
  int64_t threads;
};

// One slice's ranked results: [users, k] items (-1 padded) and scores, found and candidates per
// user.
struct RankedSlice {
  std::vector<int64_t> items;
  std::vector<float> scores;
  std::vector<int64_t> found;
  std::vector<int64_t> candidates;
};

// The candidates of user `u` (row `r` of the slice and of `ann`), merged and deduplicated.
void gather_candidates(const RetrievalRanking& rk, int32_t u, const TopKResult& ann, int64_t r,
                       std::vector<int32_t>& cand) {
  cand.clear();
  if (rk.seeds)
    for (const int32_t* s = rk.generators.recent_begin(u); s != rk.generators.recent_end(u); ++s)
      rk.seeds->append(*s, cand);
  rk.generators.append_static(u, cand);
  if (rk.ann_candidates > 0)
    for (int64_t j = 0; j < ann.found[static_cast<size_t>(r)]; ++j)
      cand.push_back(
          static_cast<int32_t>(ann.items[static_cast<size_t>(r * rk.ann_candidates + j)]));
  std::sort(cand.begin(), cand.end());
  cand.erase(std::unique(cand.begin(), cand.end()), cand.end());
}

// Ranks the candidates of user `u` (query vector `qu`) not excluded by the towers' dot product into
// row `r` of `out`.
void rank_candidates(const RetrievalRanking& rk, int32_t u, const float* qu,
                     const std::vector<int32_t>& cand, int64_t r, RankedSlice& out,
                     std::vector<std::pair<float, int32_t>>& scored) {
  scored.clear();  // (-score, item)
  for (int32_t i : cand) {
    if (rk.seen.contains(u, i) || std::binary_search(rk.global.begin(), rk.global.end(), i))
      continue;
    scored.emplace_back(-dot_in_order(qu, rk.items.row(i), rk.items.cols), i);
  }
  out.candidates[static_cast<size_t>(r)] = static_cast<int64_t>(scored.size());
  const size_t take = std::min<size_t>(scored.size(), static_cast<size_t>(rk.k));
  std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(take),
                    scored.end());
  for (size_t j = 0; j < take; ++j) {
    out.items[static_cast<size_t>(r * rk.k) + j] = scored[j].second;
    out.scores[static_cast<size_t>(r * rk.k) + j] = -scored[j].first;
  }
  out.found[static_cast<size_t>(r)] = static_cast<int64_t>(take);
}

// Ranks every user of `slice` (query vectors `q`, [slice, dim]; `ann` their ANN candidates).
RankedSlice rank_slice(const RetrievalRanking& rk, const std::vector<int32_t>& slice,
                       const std::vector<float>& q, const TopKResult& ann) {
  const int64_t m = static_cast<int64_t>(slice.size()), dim = rk.items.cols;
  RankedSlice out;
  out.items.assign(static_cast<size_t>(m * rk.k), -1);
  out.scores.assign(static_cast<size_t>(m * rk.k), 0.f);
  out.found.assign(static_cast<size_t>(m), 0);
  out.candidates.assign(static_cast<size_t>(m), 0);
  parallel_ranges(m, rk.threads, [&](int64_t b, int64_t e) {
    std::vector<int32_t> cand;
    std::vector<std::pair<float, int32_t>> scored;
    for (int64_t r = b; r < e; ++r) {
      const int32_t u = slice[static_cast<size_t>(r)];
      gather_candidates(rk, u, ann, r, cand);
      rank_candidates(rk, u, q.data() + r * dim, cand, r, out, scored);
    }
  });
  return out;
}

// Recall@K of the sampled users' retrieved rows against their exact top-K (same exclusions).
RecallCount exact_recall(const VectorSource& source, const ServeOptions& options,
                         const RetrievalRanking& rk, const std::vector<int32_t>& sample_users,
                         const RecallSample& sample, const ProgressFn& progress) {
  RecallCount recall;
  if (sample_users.empty()) return recall;
  TopKOptions topk_options;
  topk_options.k = rk.k;
  topk_options.threads = options.scoring_threads();
  topk_options.query_block = options.query_block;
  topk_options.item_chunk = options.item_chunk;
  const ExactTopK topk(rk.items, topk_options,
                       std::vector<int64_t>(rk.global.begin(), rk.global.end()));
  const std::vector<float> sq = source.users(sample_users);
  const int64_t n = static_cast<int64_t>(sample_users.size());
  std::vector<int64_t> offsets, excluded;
  rk.seen.csr(sample_users.data(), n, offsets, excluded);
  topk.search({sq.data(), n, rk.items.cols}, {offsets.data(), excluded.data()},
              [&](const TopKBlock& b) {
                for (int64_t r = 0; r < b.count; ++r)
                  sample.compare(b.first_query + r, b.items + r * b.k, b.scores + r * b.k,
                                 b.found[r], recall);
                if (progress)
                  progress({"exact (recall)", static_cast<uint64_t>(b.first_query + b.count),
                            static_cast<uint64_t>(n), "users", ""});
              });
  return recall;
}

// The candidate generators as configured (the off ones as 0).
RetrievalGenerators generators_report(const RetrievalOptions& ro, const CandidateGenerators& gen) {
  return {ro.last_n,
          ro.per_item_m,
          ro.neighbors,
          ro.top_genres,
          ro.genre_top,
          ro.popular,
          gen.segment_column(),
          gen.segment_column().empty() ? 0 : ro.segment_popular,
          ro.ann,
          ro.ann ? ro.ann_candidates : 0};
}

// Retrieves and ranks `users` slice by slice, writing their rows to `csv` and offering them to
// `sample`. Returns the candidates counted over all users; adds the seeds searched to `report`.
int64_t retrieve_users(const VectorSource& source, const ServeOptions& options,
                       const RetrievalRanking& rk, SeedNeighbors* seeds, const AnnIndex* index,
                       const std::vector<int32_t>& users, RecommendationCsv& csv,
                       RecallSample& sample, RetrievalReport& report, const ProgressFn& progress) {
  const int64_t n = static_cast<int64_t>(users.size()), dim = rk.items.cols, k = rk.k;
  int64_t total_candidates = 0;
  std::vector<int64_t> offsets, excluded;
  for (int64_t s0 = 0; s0 < n; s0 += kSlice) {
    const int64_t m = std::min(kSlice, n - s0);
    const std::vector<int32_t> slice(users.begin() + s0, users.begin() + s0 + m);
    const std::vector<float> q = source.users(slice);
    // Nearest items of the slice's new seed items (each seed searched once per run).
    if (seeds) report.seed_items_searched += seeds->add_seeds_of(slice, rk.generators);
    // The ANN index's candidates for the user vectors, seen items filtered by the index search.
    TopKResult ann;
    if (rk.ann_candidates > 0) {
      rk.seen.csr(slice.data(), m, offsets, excluded);
      ann = index->search({q.data(), m, dim}, rk.ann_candidates, {offsets.data(), excluded.data()},
                          {}, options.scoring_threads());
    }
    const RankedSlice ranked = rank_slice(rk, slice, q, ann);
    for (int64_t r = 0; r < m; ++r) {
      csv.write(slice[static_cast<size_t>(r)], ranked.items.data() + r * k,
                ranked.scores.data() + r * k, ranked.found[static_cast<size_t>(r)]);
      total_candidates += ranked.candidates[static_cast<size_t>(r)];
      sample.offer(s0 + r, ranked.items.data() + r * k, ranked.scores.data() + r * k);
    }
    if (progress)
      progress({"retrieve", static_cast<uint64_t>(s0 + m), static_cast<uint64_t>(n), "users", ""});
  }
  return total_candidates;
}

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
  RetrievalReport report;
  auto t0 = Clock::now();
  const std::vector<float> items = source.all_items();
  report.embed_seconds = since(t0);
  const MatrixRef item_ref{items.data(), source.num_items(), source.dim()};

  std::shared_ptr<AnnIndex> index;
  if (retrieval_needs_index(options)) {
    RetrievalIndex built = load_or_build_retrieval_index(item_ref, options, index_path, progress);
    index = std::move(built.index);
    report.index = built.report;
  }
  std::unique_ptr<SeedNeighbors> seeds;
  if (ro.last_n > 0 && ro.per_item_m > 0)
    seeds = std::make_unique<SeedNeighbors>(
        item_ref, make_neighbor_search(ro, item_ref, options.scoring_threads(), index),
        ro.per_item_m);

  t0 = Clock::now();
  const CandidateGenerators gen(source.run(), ro);
  const SeenItems seen(source.run(), options.exclude_seen);
  std::vector<int32_t> global(request.excluded_items);
  std::sort(global.begin(), global.end());
  const std::vector<int32_t> users = requested_users(source, request.users);
  const int64_t n = static_cast<int64_t>(users.size());
  RecallSample sample(n, ro.recall_users, options.k);
  const RetrievalRanking ranking{gen,
                                 seen,
                                 global,
                                 seeds.get(),
                                 item_ref,
                                 options.k,
                                 ro.ann ? ro.ann_candidates : 0,
                                 options.scoring_threads()};
  RecommendationCsv csv(out_csv, source.run().data, request.titles);
  const int64_t total_candidates = retrieve_users(
      source, options, ranking, seeds.get(), index.get(), users, csv, sample, report, progress);
  csv.commit();
  const double seconds = since(t0);

  t0 = Clock::now();
  std::vector<int32_t> sample_users;
  for (int64_t p : sample.positions()) sample_users.push_back(users[static_cast<size_t>(p)]);
  const RecallCount recall = exact_recall(source, options, ranking, sample_users, sample, progress);
  const double exact_seconds = since(t0);

  report.users = n;
  report.rows = csv.rows();
  report.k = options.k;
  report.candidates_per_user =
      n ? static_cast<double>(total_candidates) / static_cast<double>(n) : 0.0;
  report.generators = generators_report(ro, gen);
  report.recall_users = static_cast<int64_t>(sample_users.size());
  if (recall.truth) {
    report.recall_at_k = recall.tie_aware();
    report.recall_at_k_ids = recall.by_id();
  }
  report.seconds = seconds;
  report.users_per_s = seconds > 0 ? static_cast<double>(n) / seconds : 0.0;
  report.exact_users_per_s =
      exact_seconds > 0 ? static_cast<double>(sample_users.size()) / exact_seconds : 0.0;
  report.threads = options.scoring_threads();
  write_file_atomic(retrieval_report_path(out_csv), retrieval_report_json(report).dump(2) + "\n");
  return report;
}

}  // namespace towerrec

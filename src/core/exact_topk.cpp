#include "core/exact_topk.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <string>

#include "core/blas.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/topk_scan.h"

namespace towerrec {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// The scan kernels round by position (where an item falls in a GEMM micro-tile; FMA in the fused
// tile), so bit-identical item vectors can score a few ulps apart and "equal scores rank the lower
// index first" would not hold for them. The kept K are rescored with dot_in_order — the retrieval
// ranker's loop too, so identical vectors score identically everywhere — and re-sorted by (score
// desc, index asc). Which tied copies are kept when a group of them straddles the K-th place is
// still decided by the kernel's rounding.
void canonical_order(const float* query, MatrixRef items, float* scores, int64_t* ids,
                     int64_t count) {
  std::vector<std::pair<float, int64_t>> kept(static_cast<size_t>(count));  // (-score, item)
  for (int64_t j = 0; j < count; ++j) {
    kept[static_cast<size_t>(j)] = {-dot_in_order(query, items.row(ids[j]), items.cols), ids[j]};
  }
  std::sort(kept.begin(), kept.end());
  for (int64_t j = 0; j < count; ++j) {
    scores[j] = -kept[static_cast<size_t>(j)].first;
    ids[j] = kept[static_cast<size_t>(j)].second;
  }
}

struct BlockResult {
  std::vector<int64_t> items;
  std::vector<float> scores;
  std::vector<int32_t> found;
};

void check_exclusions(MatrixRef queries, ExclusionsRef ex, int64_t n_items) {
  if (!ex.offsets) return;
  if (ex.offsets[0] != 0)
    throw Error("exclusions: offsets[0]: expected 0, got " + std::to_string(ex.offsets[0]));
  for (int64_t q = 0; q < queries.rows; ++q) {
    const int64_t b = ex.offsets[q], e = ex.offsets[q + 1];
    if (e < b)
      throw Error("exclusions: offsets[" + std::to_string(q + 1) +
                  "]: expected >= " + std::to_string(b) + ", got " + std::to_string(e));
    for (int64_t i = b; i < e; ++i) {
      if (ex.items[i] < 0 || ex.items[i] >= n_items)
        throw Error("exclusions: query " + std::to_string(q) + ": expected item indices in [0, " +
                    std::to_string(n_items) + "), got " + std::to_string(ex.items[i]));
      if (i > b && ex.items[i] < ex.items[i - 1])
        throw Error("exclusions: query " + std::to_string(q) +
                    ": expected item indices sorted ascending, got " +
                    std::to_string(ex.items[i - 1]) + " before " + std::to_string(ex.items[i]));
    }
  }
}

}  // namespace

ExactTopK::ExactTopK(MatrixRef items, TopKOptions options, std::vector<int64_t> global_exclusions)
    : items_(items), options_(options), global_(std::move(global_exclusions)) {
  if (options_.k < 1)
    throw Error("top-K: k: expected an integer >= 1, got " + std::to_string(options_.k));
  if (options_.threads < 1)
    throw Error("top-K: threads: expected an integer >= 1, got " +
                std::to_string(options_.threads));
  if (options_.query_block < 1 || options_.item_chunk < 1)
    throw Error("top-K: query_block and item_chunk: expected integers >= 1");
  if (items_.cols < 1)
    throw Error("top-K: items: expected a dimension >= 1, got " + std::to_string(items_.cols));
  std::sort(global_.begin(), global_.end());
  global_.erase(std::unique(global_.begin(), global_.end()), global_.end());
  if (!global_.empty() && (global_.front() < 0 || global_.back() >= items_.rows))
    throw Error("top-K: global exclusions: expected item indices in [0, " +
                std::to_string(items_.rows) + "), got " +
                std::to_string(global_.front() < 0 ? global_.front() : global_.back()));
}

void ExactTopK::search(MatrixRef queries, ExclusionsRef exclusions,
                       const TopKCallback& on_block) const {
  if (queries.rows > 0 && queries.cols != items_.cols)
    throw Error("top-K: queries: expected dimension " + std::to_string(items_.cols) +
                " (the item vectors'), got " + std::to_string(queries.cols));
  check_exclusions(queries, exclusions, items_.rows);
  if (queries.rows == 0) return;
  blas_set_threads(1);

  const int64_t k = options_.k, dim = items_.cols, n_items = items_.rows;
  const int64_t qb = options_.query_block;
  const int64_t chunk = std::max<int64_t>(1, std::min(options_.item_chunk, n_items));
  const int64_t n_blocks = (queries.rows + qb - 1) / qb;
  const int64_t n_threads = std::min<int64_t>(options_.threads, n_blocks);
  const int64_t window = 2 * n_threads;  // finished blocks allowed to wait for their turn
  const int64_t* gx_begin = global_.data();
  const int64_t* gx_end = global_.data() + global_.size();
  const TopKKernel kernel = topk_kernel();

  std::atomic<int64_t> next_block{0};
  std::mutex mu;
  std::condition_variable cv;
  int64_t next_emit = 0;
  std::map<int64_t, BlockResult> ready;
  std::exception_ptr error;

  auto compute = [&](int64_t b, std::vector<QueryState>& states, TopKScratch& scratch) {
    const int64_t q0 = b * qb, nq = std::min(qb, queries.rows - q0);
    BlockResult res;
    res.items.assign(static_cast<size_t>(nq * k), -1);
    res.scores.assign(static_cast<size_t>(nq * k), kNegInf);
    res.found.assign(static_cast<size_t>(nq), 0);
    for (int64_t r = 0; r < nq; ++r) {
      QueryState& s = states[static_cast<size_t>(r)];
      s.scores = res.scores.data() + r * k;
      s.items = res.items.data() + r * k;
      s.count = 0;
      s.threshold = kNegInf;
      s.ex = s.ex_end = nullptr;
      if (exclusions.offsets) {
        s.ex = exclusions.items + exclusions.offsets[q0 + r];
        s.ex_end = exclusions.items + exclusions.offsets[q0 + r + 1];
      }
      s.gx = gx_begin;
    }
    scan_block(kernel, {queries.row(q0), nq, dim}, items_, chunk, states.data(), k, gx_end,
               scratch);
    for (int64_t r = 0; r < nq; ++r) {
      const QueryState& s = states[static_cast<size_t>(r)];
      canonical_order(queries.row(q0 + r), items_, s.scores, s.items, s.count);
      res.found[static_cast<size_t>(r)] = static_cast<int32_t>(s.count);
    }
    return res;
  };

  auto emit = [&](int64_t b, const BlockResult& res) {
    TopKBlock blk;
    blk.first_query = b * qb;
    blk.count = static_cast<int64_t>(res.found.size());
    blk.k = k;
    blk.items = res.items.data();
    blk.scores = res.scores.data();
    blk.found = res.found.data();
    on_block(blk);
  };

  auto worker = [&]() {
    std::vector<QueryState> states(static_cast<size_t>(qb));
    TopKScratch scratch;
    for (;;) {
      const int64_t b = next_block++;
      if (b >= n_blocks) return;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return error || b < next_emit + window; });
        if (error) return;
      }
      BlockResult res;
      try {
        res = compute(b, states, scratch);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!error) error = std::current_exception();
        cv.notify_all();
        return;
      }
      std::lock_guard<std::mutex> lock(mu);
      if (error) return;
      ready.emplace(b, std::move(res));
      try {
        for (auto it = ready.find(next_emit); it != ready.end(); it = ready.find(next_emit)) {
          emit(it->first, it->second);
          ready.erase(it);
          ++next_emit;
        }
      } catch (...) {
        error = std::current_exception();
      }
      cv.notify_all();
    }
  };

  run_threads(n_threads, [&](int64_t) { worker(); });
  if (error) std::rethrow_exception(error);
}

TopKResult ExactTopK::search(MatrixRef queries, ExclusionsRef exclusions) const {
  TopKResult out;
  out.rows = queries.rows;
  out.k = options_.k;
  out.items.resize(static_cast<size_t>(out.rows * out.k));
  out.scores.resize(out.items.size());
  out.found.resize(static_cast<size_t>(out.rows));
  search(queries, exclusions, [&](const TopKBlock& b) {
    std::copy(b.items, b.items + b.count * b.k, out.items.begin() + b.first_query * b.k);
    std::copy(b.scores, b.scores + b.count * b.k, out.scores.begin() + b.first_query * b.k);
    std::copy(b.found, b.found + b.count, out.found.begin() + b.first_query);
  });
  return out;
}

TopKResult ExactTopK::search(MatrixRef queries, int64_t k, ExclusionsRef exclusions) const {
  if (k == options_.k) return search(queries, exclusions);
  TopKOptions o = options_;
  o.k = k;
  return ExactTopK(items_, o, global_).search(queries, exclusions);
}

}  // namespace towerrec

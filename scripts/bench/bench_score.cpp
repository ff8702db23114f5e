// towerrec_bench_score: the C++ side of scripts/bench_score. Each mode prints one JSON line.
//   exact ITEMS.npy QUERIES.npy USERS K THREADS [OUT.npy]   our exact top-K over the first USERS queries
//   gemm DIM THREADS                                        plain [B, DIM] x [DIM, N] rate, best shape
//   fma THREADS                                             register-only FMA rate: the CPU's ceiling
//   ann ITEMS.npy QUERIES.npy USERS K EXACT.npy M EFC EF[,EF...]  hnswlib build + search + recall
// Timing lives here, not in the library; the peers (Faiss) run in scripts/bench_score itself.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <ATen/ATen.h>
#include <immintrin.h>

#include "core/exact_topk.h"
#include "core/npy.h"
#include "core/simd_level.h"
#include "serve/ann_index.h"
#include "serve/topk_recall.h"
#include "train/threads.h"

using namespace towerrec;

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

long rss_kb() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  long pages = 0, res = 0;
  if (f) {
    if (std::fscanf(f, "%ld %ld", &pages, &res) != 2) res = 0;
    std::fclose(f);
  }
  return res * 4;
}

int exact_mode(int argc, char** argv) {
  if (argc < 7) return 2;
  const auto items = read_npy_f32(argv[2]);
  const auto queries = read_npy_f32(argv[3]);
  const int64_t users = std::min<int64_t>(std::atoll(argv[4]), queries.rows);
  TopKOptions topk_opts;
  topk_opts.k = std::atoll(argv[5]);
  topk_opts.threads = std::atoll(argv[6]);
  if (const char* qb = std::getenv("QUERY_BLOCK")) topk_opts.query_block = std::atoll(qb);
  if (const char* ic = std::getenv("ITEM_CHUNK")) topk_opts.item_chunk = std::atoll(ic);
  const ExactTopK topk({items.data.data(), items.rows, items.cols}, topk_opts);
  // Warm-up block (page faults, OpenBLAS buffers), then the best of three timed passes.
  topk.search({queries.data.data(), std::min<int64_t>(users, topk_opts.query_block), queries.cols});
  double best = 1e30;
  TopKResult r;
  for (int rep = 0; rep < 3; ++rep) {
    const double t0 = now();
    r = topk.search({queries.data.data(), users, queries.cols});
    best = std::min(best, now() - t0);
  }
  if (argc > 7) write_npy(argv[7], r.items.data(), r.rows, r.k);
  std::printf("{\"mode\": \"exact\", \"threads\": %lld, \"users\": %lld, \"items\": %lld, \"seconds\": %.4f, "
              "\"users_per_s\": %.1f, \"query_block\": %lld, \"item_chunk\": %lld}\n",
              (long long)topk_opts.threads, (long long)users, (long long)items.rows, best, users / best,
              (long long)topk_opts.query_block, (long long)topk_opts.item_chunk);
  return 0;
}

// The GEMM limit: for each shape, every thread runs kWindows timed windows of its own product and
// keeps its best window's rate; the shape's rate is the sum over threads, and the limit the best
// shape's. Best-of-windows rather than an average, so a moment of interference on this shared VM
// (the probe varied by a third between runs when it averaged 0.4 s) lowers the limit less often:
// the ratio ours / limit is then conservative.
int gemm_mode(int argc, char** argv) {
  if (argc < 4) return 2;
  const int64_t dim = std::atoll(argv[2]);
  const int threads = std::atoi(argv[3]);
  constexpr int kWindows = 6;
  constexpr double kWindowSeconds = 0.08;
  set_threads(1);
  std::string shapes;
  double best = 0;
  for (int64_t b : {64, 256, 1024}) {
    for (int64_t n : {1024, 4096, 16384}) {
      std::vector<double> thread_best(static_cast<size_t>(threads), 0.0);
      auto run = [&](int64_t t) {
        c10::InferenceMode guard;
        at::manual_seed(t);
        const at::Tensor q = at::randn({b, dim});
        const at::Tensor it = at::randn({n, dim});
        at::Tensor out = at::empty({b, n});
        at::mm_out(out, q, it.t());  // warm-up
        for (int w = 0; w < kWindows; ++w) {
          const double t0 = now();
          double flops = 0, elapsed = 0;
          do {
            at::mm_out(out, q, it.t());
            flops += 2.0 * b * n * dim;
            elapsed = now() - t0;
          } while (elapsed < kWindowSeconds);
          double& keep = thread_best[static_cast<size_t>(t)];
          keep = std::max(keep, flops / elapsed / 1e9);
        }
      };
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t) pool.emplace_back(run, t);
      for (auto& t : pool) t.join();
      double rate = 0;
      for (double r : thread_best) rate += r;
      best = std::max(best, rate);
      shapes += (shapes.empty() ? "" : ", ") + std::string("\"") + std::to_string(b) + "x" +
                std::to_string(n) + "\": " + std::to_string(rate);
    }
  }
  std::printf("{\"mode\": \"gemm\", \"threads\": %d, \"dim\": %lld, \"gflops\": %.2f, \"shapes\": {%s}}\n",
              threads, (long long)dim, best, shapes.c_str());
  return 0;
}

// The FMA ceiling: independent accumulator chains of the widest FMA the SIMD level allows, no
// memory traffic. A kernel that scores without writing its scores (the fused top-K tile) can pass
// the GEMM limit but never this one.
// One timed window of `Chains` independent FMA chains on GCC vectors V (x is hidden from the
// optimiser each round so the chains cannot be folded); returns GFLOP/s. Inlined into the
// per-width functions below, whose target attributes pick the instructions (a * x + y contracts to
// one FMA there).
template <typename V, int Chains>
__attribute__((always_inline)) inline double fma_rate(double seconds) {
  constexpr int kLanes = sizeof(V) / sizeof(float);
  V acc[Chains];
  for (int i = 0; i < Chains; ++i) acc[i] = V{} + 0.001f * i;
  V x = V{} + 0.9999f;
  const V y = V{} + 0.0001f;
  const double t0 = now();
  double flops = 0, elapsed = 0;
  do {
    for (int rep = 0; rep < 100000; ++rep) {
#pragma GCC unroll 24
      for (int i = 0; i < Chains; ++i) acc[i] = acc[i] * x + y;
      __asm__ volatile("" : "+v"(x));
    }
    flops += 100000.0 * Chains * 2 * kLanes;
    elapsed = now() - t0;
  } while (elapsed < seconds);
  float sum = 0;
  for (int i = 0; i < Chains; ++i)
    for (int l = 0; l < kLanes; ++l) sum += acc[i][l];
  return sum == 12345.f ? 0 : flops / elapsed / 1e9;  // the sum keeps the chains alive
}

typedef float Floats16 __attribute__((vector_size(64)));
typedef float Floats8 __attribute__((vector_size(32)));

// 24 of the 32 zmm registers; 12 of the 16 ymm (enough in flight for two FMA ports of latency 4).
__attribute__((target("avx512f"))) double fma_rate_avx512(double s) {
  return fma_rate<Floats16, 24>(s);
}
__attribute__((target("avx2,fma"))) double fma_rate_avx2(double s) { return fma_rate<Floats8, 12>(s); }

int fma_mode(int argc, char** argv) {
  if (argc < 3) return 2;
  const int threads = std::atoi(argv[2]);
  const bool wide = simd_level() == SimdLevel::kAvx512;
  std::vector<double> best(static_cast<size_t>(threads), 0.0);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      for (int w = 0; w < 6; ++w)
        best[static_cast<size_t>(t)] =
            std::max(best[static_cast<size_t>(t)], wide ? fma_rate_avx512(0.08) : fma_rate_avx2(0.08));
    });
  for (auto& t : pool) t.join();
  double rate = 0;
  for (double r : best) rate += r;
  std::printf("{\"mode\": \"fma\", \"threads\": %d, \"width\": %d, \"gflops\": %.2f}\n", threads,
              wide ? 512 : 256, rate);
  return 0;
}

int ann_mode(int argc, char** argv) {
  if (argc < 10) return 2;
  const auto items = read_npy_f32(argv[2]);
  const auto queries = read_npy_f32(argv[3]);
  const int64_t users = std::min<int64_t>(std::atoll(argv[4]), queries.rows);
  const int64_t k = std::atoll(argv[5]);
  const auto exact = read_npy_i64(argv[6]);
  AnnOptions ann;
  ann.m = std::atoll(argv[7]);
  ann.ef_construction = std::atoll(argv[8]);
  ann.threads = std::thread::hardware_concurrency();
  if (const char* t = std::getenv("BUILD_THREADS")) ann.threads = std::atoll(t);
  const int64_t search_threads = std::getenv("SEARCH_THREADS") ? std::atoll(std::getenv("SEARCH_THREADS")) : 1;
  const long rss0 = rss_kb();
  const double t0 = now();
  AnnIndex index = AnnIndex::build({items.data.data(), items.rows, items.cols}, ann);
  const double build_s = now() - t0;
  const long rss1 = rss_kb();
  std::printf(
      "{\"mode\": \"ann_build\", \"m\": %lld, \"ef_construction\": %lld, \"build_threads\": %lld, "
      "\"build_seconds\": %.2f, \"rss_mb\": %.1f, \"index_mb\": %.1f, \"items\": %lld, "
      "\"distinct\": %lld}\n",
      (long long)ann.m, (long long)ann.ef_construction, (long long)ann.threads, build_s,
      (rss1 - rss0) / 1024.0, index.memory_bytes() / 1048576.0, (long long)index.size(),
      (long long)index.distinct());
  std::fflush(stdout);
  // Exact scores of the exact items (the .npy holds ids only), for the tie-aware recall.
  std::vector<float> exact_scores(static_cast<size_t>(users * k));
  for (int64_t q = 0; q < users; ++q)
    for (int64_t j = 0; j < k; ++j) {
      const float* qv = queries.row(q);
      const float* iv = items.row(exact.data[q * exact.cols + j]);
      float s = 0;
      for (int64_t d = 0; d < items.cols; ++d) s += qv[d] * iv[d];
      exact_scores[static_cast<size_t>(q * k + j)] = s;
    }
  std::stringstream efs(argv[9]);
  std::string ef;
  while (std::getline(efs, ef, ',')) {
    index.set_ef(std::atoll(ef.c_str()));
    double best = 1e30;
    TopKResult r;
    for (int rep = 0; rep < 2; ++rep) {
      const double s0 = now();
      r = index.search({queries.data.data(), users, queries.cols}, k, {}, {}, search_threads);
      best = std::min(best, now() - s0);
    }
    // Both recalls of serve/topk_recall.h ("recall": tie-aware, "recall_ids": by id).
    RecallCount recall;
    for (int64_t q = 0; q < users; ++q)
      recall.add(exact.data.data() + q * exact.cols, exact_scores.data() + q * k, k,
                 r.items.data() + q * k, r.scores.data() + q * k, r.found[static_cast<size_t>(q)]);
    std::printf(
        "{\"mode\": \"ann_search\", \"ef\": %s, \"threads\": %lld, \"users\": %lld, \"qps\": %.1f, "
        "\"recall\": %.4f, \"recall_ids\": %.4f}\n",
        ef.c_str(), (long long)search_threads, (long long)users, users / best, recall.tie_aware(),
        recall.by_id());
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string mode = argc > 1 ? argv[1] : "";
    int rc = 2;
    if (mode == "exact") rc = exact_mode(argc, argv);
    else if (mode == "gemm") rc = gemm_mode(argc, argv);
    else if (mode == "ann") rc = ann_mode(argc, argv);
    else if (mode == "fma") rc = fma_mode(argc, argv);
    if (rc == 2) std::fprintf(stderr, "usage: see the header of scripts/bench/bench_score.cpp\n");
    return rc;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "towerrec_bench_score: %s\n", e.what());
    return 1;
  }
}

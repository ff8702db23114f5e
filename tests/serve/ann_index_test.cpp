#include "serve/ann_index.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "serve/exact_topk.h"
#include "test_util.h"

using namespace towerrec;
using towerrec::test::TempDir;

namespace {

// Unit vectors around `clusters` random centres: the structure real item embeddings have.
std::vector<float> clustered(int64_t n, int64_t dim, int64_t clusters, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> centres(static_cast<size_t>(clusters * dim));
  for (float& x : centres) x = static_cast<float>(rng.normal());
  std::vector<float> v(static_cast<size_t>(n * dim));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = static_cast<int64_t>(rng.below(static_cast<uint64_t>(clusters)));
    double norm = 0;
    for (int64_t d = 0; d < dim; ++d) {
      const float x = centres[static_cast<size_t>(c * dim + d)] + 0.5f * static_cast<float>(rng.normal());
      v[static_cast<size_t>(i * dim + d)] = x;
      norm += double(x) * x;
    }
    for (int64_t d = 0; d < dim; ++d) v[static_cast<size_t>(i * dim + d)] /= static_cast<float>(std::sqrt(norm));
  }
  return v;
}

double recall(const TopKResult& approx, const TopKResult& exact) {
  int64_t hit = 0, total = 0;
  for (int64_t q = 0; q < exact.rows; ++q) {
    const auto* e = exact.items.data() + q * exact.k;
    const std::set<int64_t> truth(e, e + exact.found[static_cast<size_t>(q)]);
    for (int64_t j = 0; j < approx.found[static_cast<size_t>(q)]; ++j) hit += truth.count(approx.items[static_cast<size_t>(q * approx.k + j)]);
    total += static_cast<int64_t>(truth.size());
  }
  return double(hit) / double(total);
}

}  // namespace

TEST_CASE("ANN index: recall@10 against exact search, exclusions, save and load", "[serve]") {
  const int64_t n = 3000, dim = 32, nq = 200;
  const auto items = clustered(n, dim, 30, 21);
  const auto queries = clustered(nq, dim, 30, 22);
  AnnOptions o;
  o.threads = 2;
  const AnnIndex index = AnnIndex::build({items.data(), n, dim}, o);
  CHECK(index.size() == n);
  CHECK(index.dim() == dim);
  CHECK(index.memory_bytes() > n * dim * 4);

  TopKOptions exact_options;
  exact_options.k = 10;
  const ExactTopK exact({items.data(), n, dim}, exact_options);
  const TopKResult truth = exact.search({queries.data(), nq, dim});
  const TopKResult got = index.search({queries.data(), nq, dim}, 10, {}, {}, 2);
  CHECK(recall(got, truth) >= 0.95);
  for (int64_t q = 0; q < nq; ++q) {
    CHECK(got.found[static_cast<size_t>(q)] == 10);
    for (int64_t j = 1; j < 10; ++j) CHECK(got.scores[static_cast<size_t>(q * 10 + j - 1)] >= got.scores[static_cast<size_t>(q * 10 + j)]);
  }

  // Exclude each query's exact top 5 and a global list: none may appear, recall vs the filtered
  // exact answer stays high.
  std::vector<int64_t> offsets{0}, excluded;
  for (int64_t q = 0; q < nq; ++q) {
    std::vector<int64_t> ex(truth.items.begin() + q * 10, truth.items.begin() + q * 10 + 5);
    std::sort(ex.begin(), ex.end());
    excluded.insert(excluded.end(), ex.begin(), ex.end());
    offsets.push_back(static_cast<int64_t>(excluded.size()));
  }
  const std::vector<int64_t> global = {0, 1, 2, 3, 4};
  const ExclusionsRef ex_ref{offsets.data(), excluded.data()};
  const TopKResult filtered = index.search({queries.data(), nq, dim}, 10, ex_ref, global);
  const TopKResult filtered_truth = ExactTopK({items.data(), n, dim}, exact_options, global).search({queries.data(), nq, dim}, ex_ref);
  CHECK(recall(filtered, filtered_truth) >= 0.95);
  for (int64_t q = 0; q < nq; ++q)
    for (int64_t j = 0; j < 10; ++j) {
      const int64_t item = filtered.items[static_cast<size_t>(q * 10 + j)];
      CHECK(item >= 5);
      CHECK_FALSE(std::binary_search(excluded.begin() + offsets[q], excluded.begin() + offsets[q + 1], item));
    }

  TempDir dir;
  const std::string path = dir.file("items.hnsw");
  index.save(path);
  const AnnIndex loaded = AnnIndex::load(path);
  CHECK(loaded.size() == n);
  CHECK(loaded.ef() == o.ef_search);
  const TopKResult again = loaded.search({queries.data(), nq, dim}, 10);
  CHECK(again.items == got.items);
  CHECK(again.scores == got.scores);
}

TEST_CASE("ANN index: a tiny catalogue returns every allowed item", "[serve]") {
  const auto items = clustered(6, 4, 2, 23);
  const AnnIndex index = AnnIndex::build({items.data(), 6, 4}, AnnOptions{});
  const std::vector<int64_t> offsets = {0, 2}, excluded = {1, 3};
  const TopKResult r = index.search({items.data(), 1, 4}, 10, {offsets.data(), excluded.data()});
  CHECK(r.found[0] == 4);
  CHECK(r.items[0] == 0);  // the query is item 0 itself: the best inner product of a unit vector
  CHECK(r.items[4] == -1);
}

TEST_CASE("ANN index: foreign and truncated files are rejected", "[serve]") {
  const auto items = clustered(50, 8, 3, 24);
  const AnnIndex index = AnnIndex::build({items.data(), 50, 8}, AnnOptions{});
  TempDir dir;
  const std::string path = dir.file("a.hnsw");
  index.save(path);
  const std::string bytes = test::slurp(path);
  dir.write("a.hnsw", bytes.substr(0, bytes.size() / 2));
  try {
    AnnIndex::load(path);
    FAIL("expected an error");
  } catch (const FormatError& e) {
    CHECK(std::string(e.what()).find(path + ": byte ") == 0);
  }
  dir.write("a.hnsw.json", "{\"format\": \"something-else\"}");
  try {
    AnnIndex::load(path);
    FAIL("expected an error");
  } catch (const FormatError& e) {
    CHECK(std::string(e.what()) == path + ".json: byte 0: expected format \"towerrec-ann-hnsw\"");
  }
  CHECK_THROWS_AS(AnnIndex::load(dir.file("missing.hnsw")), IoError);
}

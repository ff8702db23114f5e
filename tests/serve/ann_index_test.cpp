#include "serve/ann_index.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "core/error.h"
#include "core/exact_topk.h"
#include "core/npy.h"
#include "core/rng.h"
#include "serve/topk_recall.h"
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
      const float x =
          centres[static_cast<size_t>(c * dim + d)] + 0.5f * static_cast<float>(rng.normal());
      v[static_cast<size_t>(i * dim + d)] = x;
      norm += double(x) * x;
    }
    for (int64_t d = 0; d < dim; ++d)
      v[static_cast<size_t>(i * dim + d)] /= static_cast<float>(std::sqrt(norm));
  }
  return v;
}

double recall(const TopKResult& approx, const TopKResult& exact) {
  int64_t hit = 0, total = 0;
  for (int64_t q = 0; q < exact.rows; ++q) {
    const auto* e = exact.items.data() + q * exact.k;
    const std::set<int64_t> truth(e, e + exact.found[static_cast<size_t>(q)]);
    for (int64_t j = 0; j < approx.found[static_cast<size_t>(q)]; ++j)
      hit += truth.count(approx.items[static_cast<size_t>(q * approx.k + j)]);
    total += static_cast<int64_t>(truth.size());
  }
  return double(hit) / double(total);
}

}  // namespace

TEST_CASE("ANN index: recall@10 against exact search, exclusions, save and load", "[serve]") {
  const int64_t n = 3000, dim = 32, nq = 200;
  const auto items = clustered(n, dim, 30, 21);
  const auto queries = clustered(nq, dim, 30, 22);
  AnnOptions opts;
  opts.threads = 2;
  const AnnIndex index = AnnIndex::build({items.data(), n, dim}, opts);
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
    for (int64_t j = 1; j < 10; ++j)
      CHECK(got.scores[static_cast<size_t>(q * 10 + j - 1)] >=
            got.scores[static_cast<size_t>(q * 10 + j)]);
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
  const TopKResult filtered_truth = ExactTopK({items.data(), n, dim}, exact_options, global)
                                        .search({queries.data(), nq, dim}, ex_ref);
  CHECK(recall(filtered, filtered_truth) >= 0.95);
  for (int64_t q = 0; q < nq; ++q)
    for (int64_t j = 0; j < 10; ++j) {
      const int64_t item = filtered.items[static_cast<size_t>(q * 10 + j)];
      CHECK(item >= 5);
      CHECK_FALSE(std::binary_search(excluded.begin() + offsets[q],
                                     excluded.begin() + offsets[q + 1], item));
    }

  TempDir dir;
  const std::string path = dir.file("items.hnsw");
  index.save(path);
  const AnnIndex loaded = AnnIndex::load(path);
  CHECK(loaded.size() == n);
  CHECK(loaded.ef() == opts.ef_search);
  // The fingerprint of the items travels with the index and tells other vectors apart.
  const uint64_t fp = AnnIndex::fingerprint_of({items.data(), n, dim});
  CHECK(index.items_fingerprint() == fp);
  CHECK(loaded.items_fingerprint() == fp);
  std::vector<float> changed(items.begin(), items.end());
  changed[changed.size() / 2] += 1e-3f;
  CHECK(AnnIndex::fingerprint_of({changed.data(), n, dim}) != fp);
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

namespace {

// `clustered` with planted exact duplicates: row 7 copied to rows 40, 123, 300, 301 and row 8 to
// rows 100..114 (a group of 16, more than k).
std::vector<float> with_duplicates(int64_t n, int64_t dim) {
  auto v = clustered(n, dim, 12, 31);
  auto copy = [&](int64_t from, int64_t to) {
    std::copy(v.begin() + from * dim, v.begin() + (from + 1) * dim, v.begin() + to * dim);
  };
  for (int64_t to : {40, 123, 300, 301}) copy(7, to);
  for (int64_t to = 100; to <= 114; ++to) copy(8, to);
  return v;
}

std::vector<int64_t> row_items(const TopKResult& r, int64_t q) {
  return std::vector<int64_t>(r.items.begin() + q * r.k,
                              r.items.begin() + q * r.k + r.found[static_cast<size_t>(q)]);
}

}  // namespace

TEST_CASE("ANN index: duplicates are indexed once and expand to every tied item in index order",
          "[serve]") {
  const int64_t n = 500, dim = 16;
  const auto items = with_duplicates(n, dim);
  const AnnIndex index = AnnIndex::build({items.data(), n, dim}, AnnOptions{});
  CHECK(index.size() == n);
  CHECK(index.distinct() == n - 4 - 15);

  // Item 7's vector: its five copies first, lowest index first, all with one score.
  const MatrixRef q7{items.data() + 7 * dim, 1, dim};
  const TopKResult r = index.search(q7, 5);
  CHECK(row_items(r, 0) == std::vector<int64_t>{7, 40, 123, 300, 301});
  CHECK(r.scores[0] == r.scores[4]);
  // Excluding a copy lets the next one in; the sixth result is another vector.
  const std::vector<int64_t> off = {0, 1}, ex = {40};
  const TopKResult r2 = index.search(q7, 6, {off.data(), ex.data()});
  CHECK(row_items(r2, 0).size() == 6);
  CHECK(std::vector<int64_t>(r2.items.begin(), r2.items.begin() + 4) ==
        std::vector<int64_t>{7, 123, 300, 301});
  CHECK(r2.scores[4] < r2.scores[3]);

  // Item 8's group of 16 is cut at k, keeping the lowest indices (as exact search does), and
  // exclusions (per query and global) are skipped inside the group.
  const MatrixRef q8{items.data() + 8 * dim, 1, dim};
  CHECK(row_items(index.search(q8, 10), 0) ==
        std::vector<int64_t>{8, 100, 101, 102, 103, 104, 105, 106, 107, 108});
  const std::vector<int64_t> off8 = {0, 2}, ex8 = {100, 102};
  const TopKResult r8 = index.search(q8, 10, {off8.data(), ex8.data()}, {8});
  CHECK(row_items(r8, 0) == std::vector<int64_t>{101, 103, 104, 105, 106, 107, 108, 109, 110, 111});
  const TopKResult exact8 =
      ExactTopK({items.data(), n, dim}, TopKOptions{}, {8}).search(q8, {off8.data(), ex8.data()});
  CHECK(row_items(exact8, 0) == row_items(r8, 0));

  // Save and load keep the groups.
  TempDir dir;
  index.save(dir.file("d.hnsw"));
  const AnnIndex loaded = AnnIndex::load(dir.file("d.hnsw"));
  CHECK(loaded.size() == n);
  CHECK(loaded.distinct() == index.distinct());
  CHECK(row_items(loaded.search(q7, 5), 0) == std::vector<int64_t>{7, 40, 123, 300, 301});
}

TEST_CASE("ANN index: recall against exact on a catalogue with planted duplicates", "[serve]") {
  // Queries near the duplicated vectors put ties inside the top 10; with the shared tie rule the
  // ANN answer matches the exact one by item id, not just by score.
  const int64_t n = 500, dim = 16, nq = 60;
  const auto items = with_duplicates(n, dim);
  std::vector<float> queries(static_cast<size_t>(nq * dim));
  Rng rng(32);
  for (int64_t q = 0; q < nq; ++q) {
    const int64_t base = q % 2 ? 7 : 8;
    for (int64_t d = 0; d < dim; ++d)
      queries[static_cast<size_t>(q * dim + d)] =
          items[static_cast<size_t>(base * dim + d)] + 0.05f * static_cast<float>(rng.normal());
  }
  AnnOptions opts;
  opts.ef_search = 100;
  const AnnIndex index = AnnIndex::build({items.data(), n, dim}, opts);
  TopKOptions eo;
  eo.k = 10;
  const TopKResult exact = ExactTopK({items.data(), n, dim}, eo).search({queries.data(), nq, dim});
  const TopKResult got = index.search({queries.data(), nq, dim}, 10);
  RecallCount recall;
  int64_t rows_with_ties = 0;
  for (int64_t q = 0; q < nq; ++q) {
    const size_t at = static_cast<size_t>(q * 10);
    recall.add(exact.items.data() + at, exact.scores.data() + at,
               exact.found[static_cast<size_t>(q)], got.items.data() + at, got.scores.data() + at,
               got.found[static_cast<size_t>(q)]);
    rows_with_ties += exact.scores[at] == exact.scores[at + 1];
  }
  CHECK(rows_with_ties == nq);  // every query's best vector is a duplicated one
  CHECK(recall.truth == nq * 10);
  CHECK(recall.by_id() == Approx(1.0));
  CHECK(recall.tie_aware() == Approx(1.0));
  CHECK(got.items == exact.items);
}

TEST_CASE("ANN index: a malformed groups file is rejected naming the file", "[serve]") {
  const auto items = with_duplicates(500, 8);
  const AnnIndex index = AnnIndex::build({items.data(), 500, 8}, AnnOptions{});
  TempDir dir;
  const std::string path = dir.file("g.hnsw");
  index.save(path);
  std::vector<int64_t> ids(500, 0);  // one group where the graph holds index.distinct()
  write_npy(path + ".groups.npy", ids.data(), 500, -1);
  try {
    AnnIndex::load(path);
    FAIL("expected an error");
  } catch (const FormatError& e) {
    CHECK(std::string(e.what()) == path + ".groups.npy: byte 0: expected " +
                                       std::to_string(index.distinct()) +
                                       " groups, found members for 1");
  }
  write_npy(path + ".groups.npy", ids.data(), 499, -1);
  try {
    AnnIndex::load(path);
    FAIL("expected an error");
  } catch (const FormatError& e) {
    CHECK(std::string(e.what()) == path + ".groups.npy: byte 0: expected 500 group ids (as " +
                                       path + ".json says), found 499 x 1");
  }
}

TEST_CASE("ANN index as an ItemSearch: the same lists on any search_threads", "[serve]") {
  const int64_t n = 500, dim = 16;
  const auto items = with_duplicates(n, dim);
  AnnIndex index = AnnIndex::build({items.data(), n, dim}, AnnOptions{});
  const MatrixRef queries{items.data(), 40, dim};
  const TopKResult want = index.search(queries, 6, {}, {}, 1);
  index.set_search_threads(3);
  CHECK(index.search_threads() == 3);
  const ItemSearch& search = index;
  CHECK(search.size() == n);
  CHECK(search.dim() == dim);
  const TopKResult got = search.search(queries, 6, {});
  CHECK(got.items == want.items);
  CHECK(got.scores == want.scores);
}

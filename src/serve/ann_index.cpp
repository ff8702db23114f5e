#include "serve/ann_index.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>

// hnswlib.h defines non-inline functions (CPU feature probes), so this must stay the only
// translation unit that includes it.
#include <hnswlib/hnswlib.h>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/byte_cursor.h"
#include "core/error.h"
#include "core/npy.h"
#include "core/parallel.h"
#include "serve/vector_groups.h"

namespace towerrec {
namespace {

constexpr const char* kFormat = "towerrec-ann-hnsw";
// Version 2: the graph holds distinct vectors only (labels are group ids) and `path.groups.npy`
// maps every item to its group.
constexpr int kVersion = 3;  // 3: items_fnv1a

using Graph = hnswlib::HierarchicalNSW<float>;

template <class T>
void put(std::ostream& out, const T& v) {
  out.write(reinterpret_cast<const char*>(&v), sizeof(T));
}

// The fixed header hnswlib writes before the level-0 block, in its order.
struct GraphHeader {
  size_t offset_level0, max_elements, count, size_per_element, label_offset, offset_data;
  int max_level;
  hnswlib::tableint enter_point;
  size_t max_m, max_m0, m;
  double mult;
  size_t ef_construction;
};

// Reads and checks the header against the metadata before hnswlib allocates anything from it (its
// loader trusts the sizes it reads).
void check_graph_file(const std::string& path, int64_t dim, int64_t count) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read " + path + ": " + std::strerror(errno));
  GraphHeader h{};
  auto get = [&](auto& v, uint64_t at) {
    in.read(reinterpret_cast<char*>(&v), sizeof(v));
    if (!in) throw FormatError(path, at, "expected an hnswlib index header, found end of file");
  };
  uint64_t at = 0;
  get(h.offset_level0, at);
  get(h.max_elements, at += 8);
  get(h.count, at += 8);
  get(h.size_per_element, at += 8);
  get(h.label_offset, at += 8);
  get(h.offset_data, at += 8);
  get(h.max_level, at += 8);
  get(h.enter_point, at += 4);
  get(h.max_m, at += 4);
  get(h.max_m0, at += 8);
  get(h.m, at += 8);
  get(h.mult, at += 8);
  get(h.ef_construction, at += 8);
  const uint64_t header_end = at + 8;
  if (static_cast<int64_t>(h.count) != count)
    throw FormatError(path, 16,
                      "expected " + std::to_string(count) +
                          " elements (as the .json says), found " + std::to_string(h.count));
  const size_t links0 = h.max_m0 * sizeof(hnswlib::tableint) + sizeof(hnswlib::linklistsizeint);
  const size_t want =
      links0 + static_cast<size_t>(dim) * sizeof(float) + sizeof(hnswlib::labeltype);
  if (h.max_m0 > 4096 || h.size_per_element != want || h.offset_data != links0)
    throw FormatError(path, 24,
                      "expected " + std::to_string(want) + " bytes per element for dimension " +
                          std::to_string(dim) + ", found " + std::to_string(h.size_per_element));
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  const uint64_t level0_end = header_end + h.count * h.size_per_element;
  if (ec || size < level0_end + 4 * h.count)
    throw FormatError(path, ec ? 0 : size,
                      "expected at least " + std::to_string(level0_end + 4 * h.count) +
                          " bytes for " + std::to_string(h.count) + " elements, found " +
                          std::to_string(size) + " (truncated?)");
}

std::string groups_path(const std::string& path) { return path + ".groups.npy"; }

}  // namespace

struct AnnIndex::Impl {
  AnnOptions options;
  int64_t dim = 0;
  uint64_t items_fingerprint = 0;
  int64_t search_threads = 1;
  VectorGroups groups;  // items -> distinct vectors; graph label g is groups' group g
  std::unique_ptr<hnswlib::InnerProductSpace> space;
  std::unique_ptr<Graph> graph;
};

AnnIndex::AnnIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AnnIndex::AnnIndex(AnnIndex&&) noexcept = default;
AnnIndex& AnnIndex::operator=(AnnIndex&&) noexcept = default;
AnnIndex::~AnnIndex() = default;

AnnIndex AnnIndex::build(MatrixRef items, const AnnOptions& options, const ProgressFn& progress) {
  if (items.rows < 1 || items.cols < 1)
    throw Error("ANN index: expected at least one item vector of dimension >= 1, got " +
                std::to_string(items.rows) + " x " + std::to_string(items.cols));
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->dim = items.cols;
  impl->items_fingerprint = fingerprint_of(items);
  impl->groups = VectorGroups::group(items);
  const VectorGroups& groups = impl->groups;
  const int64_t n = groups.groups();
  impl->space = std::make_unique<hnswlib::InnerProductSpace>(static_cast<size_t>(items.cols));
  impl->graph = std::make_unique<Graph>(
      impl->space.get(), static_cast<size_t>(n), static_cast<size_t>(options.m),
      static_cast<size_t>(options.ef_construction), static_cast<size_t>(options.seed));
  impl->graph->setEf(static_cast<size_t>(options.ef_search));
  Graph& g = *impl->graph;
  // The first point becomes the entry point; adding it alone keeps threaded builds well-formed.
  g.addPoint(items.row(groups.representative(0)), 0);
  // Points 1..n-1 on options.threads threads; the calling thread (t = 0) reports progress between
  // its own insertions.
  std::atomic<int64_t> done{1};
  const int64_t every = 4096;
  parallel_for(n - 1, options.threads, [&](int64_t j, int64_t t) {
    const int64_t i = j + 1;
    g.addPoint(items.row(groups.representative(i)), static_cast<hnswlib::labeltype>(i));
    const int64_t d = ++done;
    if (t == 0 && progress && d % every == 0)
      progress({"build ANN index", static_cast<uint64_t>(d), static_cast<uint64_t>(n),
                "distinct vectors", ""});
  });
  if (progress)
    progress({"build ANN index", static_cast<uint64_t>(n), static_cast<uint64_t>(n),
              "distinct vectors", ""});
  return AnnIndex(std::move(impl));
}

void AnnIndex::save(const std::string& path) const {
  const Graph& g = *impl_->graph;
  {
    // Field for field what hnswlib's saveIndex writes, but into our atomic writer.
    AtomicFile f(path, /*binary=*/true);
    std::ostream& out = f.stream();
    put(out, g.offsetLevel0_);
    put(out, g.max_elements_);
    put(out, g.cur_element_count);
    put(out, g.size_data_per_element_);
    put(out, g.label_offset_);
    put(out, g.offsetData_);
    put(out, g.maxlevel_);
    put(out, g.enterpoint_node_);
    put(out, g.maxM_);
    put(out, g.maxM0_);
    put(out, g.M_);
    put(out, g.mult_);
    put(out, g.ef_construction_);
    out.write(g.data_level0_memory_,
              static_cast<std::streamsize>(g.cur_element_count * g.size_data_per_element_));
    for (size_t i = 0; i < g.cur_element_count; ++i) {
      const unsigned int size =
          g.element_levels_[i] > 0
              ? static_cast<unsigned int>(g.size_links_per_element_ * g.element_levels_[i])
              : 0;
      put(out, size);
      if (size) out.write(g.linkLists_[i], size);
    }
    f.commit();
  }
  const std::vector<int64_t>& group_of = impl_->groups.group_of();
  write_npy(groups_path(path), group_of.data(), static_cast<int64_t>(group_of.size()), -1);
  const AnnOptions& o = impl_->options;
  nlohmann::json meta = {{"format", kFormat},
                         {"version", kVersion},
                         {"space", "ip"},
                         {"dim", impl_->dim},
                         {"count", size()},
                         {"distinct", distinct()},
                         {"m", o.m},
                         {"ef_construction", o.ef_construction},
                         {"ef_search", o.ef_search},
                         {"overfetch", o.overfetch},
                         {"seed", o.seed},
                         {"items_fnv1a", std::to_string(impl_->items_fingerprint)}};
  write_file_atomic(path + ".json", meta.dump(2) + "\n");
}

AnnIndex AnnIndex::load(const std::string& path) {
  const std::string meta_path = path + ".json";
  nlohmann::json meta;
  try {
    meta = nlohmann::json::parse(read_file(meta_path));
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(meta_path, 0,
                      std::string("expected the JSON metadata of an ANN index: ") + e.what());
  }
  if (!meta.is_object() || meta.value("format", "") != kFormat)
    throw FormatError(meta_path, 0, std::string("expected format \"") + kFormat + "\"");
  if (meta.value("version", -1) != kVersion)
    throw FormatError(meta_path, 0,
                      "expected version " + std::to_string(kVersion) + ", found " +
                          meta.value("version", nlohmann::json()).dump());
  auto impl = std::make_unique<Impl>();
  int64_t count = 0, distinct = 0;
  try {
    impl->dim = meta.at("dim").get<int64_t>();
    count = meta.at("count").get<int64_t>();
    distinct = meta.at("distinct").get<int64_t>();
    AnnOptions& o = impl->options;
    o.m = meta.at("m").get<int64_t>();
    o.ef_construction = meta.at("ef_construction").get<int64_t>();
    o.ef_search = meta.at("ef_search").get<int64_t>();
    o.overfetch = meta.at("overfetch").get<double>();
    o.seed = meta.at("seed").get<uint64_t>();
    impl->items_fingerprint = std::stoull(meta.at("items_fnv1a").get<std::string>());
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(meta_path, 0,
                      std::string("expected dim, count, distinct, m, ef_construction, ef_search, "
                                  "overfetch, seed and items_fnv1a: ") +
                          e.what());
  } catch (const std::logic_error&) {  // stoull: not a decimal number, or out of range
    throw FormatError(meta_path, 0, "expected items_fnv1a as a decimal string of a 64-bit number");
  }
  if (impl->dim < 1 || count < 1 || distinct < 1 || distinct > count)
    throw FormatError(meta_path, 0, "expected dim >= 1 and 1 <= distinct <= count");
  check_graph_file(path, impl->dim, distinct);
  {
    const std::string gp = groups_path(path);
    NpyMatrix<int64_t> group_of = read_npy_i64(gp);
    if (group_of.rows != count || group_of.cols != 1)
      throw FormatError(gp, 0,
                        "expected " + std::to_string(count) + " group ids (as " + meta_path +
                            " says), found " + std::to_string(group_of.rows) + " x " +
                            std::to_string(group_of.cols));
    try {
      impl->groups = VectorGroups::from_group_of(std::move(group_of.data), distinct);
    } catch (const Error& e) {
      throw FormatError(gp, 0, e.what());
    }
  }
  impl->space = std::make_unique<hnswlib::InnerProductSpace>(static_cast<size_t>(impl->dim));
  try {
    impl->graph = std::make_unique<Graph>(impl->space.get(), path);
  } catch (const std::runtime_error& e) {
    throw FormatError(path, 0, std::string("expected a valid hnswlib index: ") + e.what());
  }
  impl->graph->setEf(static_cast<size_t>(impl->options.ef_search));
  return AnnIndex(std::move(impl));
}

TopKResult AnnIndex::search(MatrixRef queries, int64_t k, ExclusionsRef exclusions,
                            const std::vector<int64_t>& global_exclusions, int64_t threads) const {
  if (k < 1) throw Error("ANN search: k: expected an integer >= 1, got " + std::to_string(k));
  if (queries.rows > 0 && queries.cols != impl_->dim)
    throw Error("ANN search: queries: expected dimension " + std::to_string(impl_->dim) +
                " (the index's), got " + std::to_string(queries.cols));
  const Graph& g = *impl_->graph;
  const VectorGroups& groups = impl_->groups;
  const int64_t n = distinct();
  TopKResult out = TopKResult::padded(queries.rows, k);
  const int64_t n_global = static_cast<int64_t>(global_exclusions.size());

  auto one = [&](int64_t q) {
    const int64_t* ex = exclusions.offsets ? exclusions.items + exclusions.offsets[q] : nullptr;
    const int64_t n_ex = exclusions.offsets ? exclusions.offsets[q + 1] - exclusions.offsets[q] : 0;
    auto excluded = [&](int64_t item) {
      return std::binary_search(ex, ex + n_ex, item) ||
             std::binary_search(global_exclusions.begin(), global_exclusions.end(), item);
    };
    int64_t fetch =
        n_ex + n_global == 0
            ? k
            : std::min<int64_t>(n, static_cast<int64_t>(std::ceil(k * impl_->options.overfetch)) +
                                       n_ex + n_global);
    // `fetch` counts distinct vectors; each expands to its allowed members in index order, at most
    // k of them (later members of the same group would rank below those k).
    std::vector<std::pair<float, int64_t>> kept;  // (-score, item)
    for (;;) {
      auto pq = g.searchKnn(queries.row(q), static_cast<size_t>(fetch));
      kept.clear();
      while (!pq.empty()) {
        const auto [dist, label] = pq.top();
        pq.pop();
        const int64_t group = static_cast<int64_t>(label);
        int64_t taken = 0;
        for (const int64_t* it = groups.members_begin(group);
             it != groups.members_end(group) && taken < k; ++it)
          if (!excluded(*it)) {
            kept.emplace_back(dist - 1.0f, *it);  // score = 1 - distance
            ++taken;
          }
      }
      if (static_cast<int64_t>(kept.size()) >= k || fetch >= n) break;
      fetch = std::min(n, 2 * fetch);
    }
    std::sort(kept.begin(), kept.end());
    const int64_t m = std::min<int64_t>(k, static_cast<int64_t>(kept.size()));
    for (int64_t j = 0; j < m; ++j) {
      out.items[static_cast<size_t>(q * k + j)] = kept[static_cast<size_t>(j)].second;
      out.scores[static_cast<size_t>(q * k + j)] = -kept[static_cast<size_t>(j)].first;
    }
    out.found[static_cast<size_t>(q)] = static_cast<int32_t>(m);
  };

  parallel_for(queries.rows, threads, [&](int64_t q, int64_t) { one(q); });
  return out;
}

TopKResult AnnIndex::search(MatrixRef queries, int64_t k, ExclusionsRef exclusions) const {
  return search(queries, k, exclusions, {}, impl_->search_threads);
}
void AnnIndex::set_search_threads(int64_t threads) {
  impl_->search_threads = std::max<int64_t>(1, threads);
}
int64_t AnnIndex::search_threads() const { return impl_->search_threads; }

void AnnIndex::set_ef(int64_t ef) {
  impl_->graph->setEf(static_cast<size_t>(std::max<int64_t>(1, ef)));
}
int64_t AnnIndex::ef() const { return static_cast<int64_t>(impl_->graph->ef_); }
int64_t AnnIndex::size() const { return impl_->groups.rows(); }
int64_t AnnIndex::distinct() const { return static_cast<int64_t>(impl_->graph->cur_element_count); }
int64_t AnnIndex::dim() const { return impl_->dim; }
uint64_t AnnIndex::items_fingerprint() const { return impl_->items_fingerprint; }
uint64_t AnnIndex::fingerprint_of(MatrixRef items) {
  return fnv1a(reinterpret_cast<const char*>(items.data),
               static_cast<size_t>(items.rows * items.cols) * sizeof(float));
}
const AnnOptions& AnnIndex::options() const { return impl_->options; }

int64_t AnnIndex::memory_bytes() const {
  const Graph& g = *impl_->graph;
  size_t bytes = g.max_elements_ * g.size_data_per_element_;  // vectors + level-0 links + labels
  for (size_t i = 0; i < g.cur_element_count; ++i)
    if (g.element_levels_[i] > 0) bytes += g.size_links_per_element_ * g.element_levels_[i];
  // Per-element lock, level and label-map entry (an unordered_map node is ~32 bytes plus a bucket).
  bytes += g.max_elements_ * (sizeof(std::mutex) + sizeof(int) + 40 + sizeof(char*));
  return static_cast<int64_t>(bytes) + impl_->groups.memory_bytes();
}

}  // namespace towerrec

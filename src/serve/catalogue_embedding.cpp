#include "serve/catalogue_embedding.h"

#include <algorithm>
#include <chrono>

#include "core/npy.h"
#include "data/dataset.h"
#include "serve/vector_source.h"

namespace towerrec {
namespace {

constexpr int64_t kChunk = 65536;

}  // namespace

EmbedSummary embed_catalogue(const VectorSource& source, bool users, const std::string& npy_path,
                             const ProgressFn& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  const IdMap& map = users ? source.run().data.users : source.run().data.items;
  const int64_t n = users ? source.num_users() : source.num_items();
  const std::string stage = users ? "embed users" : "embed items";
  EmbedSummary s;
  s.npy_path = npy_path;
  s.ids_path = ids_path_for(npy_path);
  s.rows = n;
  s.dim = source.dim();
  // Ids first: they are small, and a failure there leaves no half-written .npy behind.
  std::vector<std::string> ids(static_cast<size_t>(n));
  for (int64_t r = 0; r < n; ++r)
    ids[static_cast<size_t>(r)] = std::to_string(map.id(static_cast<int32_t>(r)));
  NpyWriter w(npy_path, NpyDtype::kFloat32, n, s.dim);
  for (int64_t r0 = 0; r0 < n; r0 += kChunk) {
    const int64_t m = std::min(kChunk, n - r0);
    const std::vector<float> v = users ? source.users(r0, m) : source.items(r0, m);
    w.append(v.data(), m);
    if (progress)
      progress({stage, static_cast<uint64_t>(r0 + m), static_cast<uint64_t>(n), "rows", ""});
  }
  w.commit();
  write_ids(s.ids_path, ids);
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

}  // namespace towerrec

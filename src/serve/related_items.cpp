#include "serve/related_items.h"

#include <chrono>
#include <cstdio>
#include <string>

#include "core/nearest_items.h"
#include "data/dataset.h"
#include "serve/csv_field.h"
#include "serve/vector_source.h"

namespace towerrec {

RelatedSummary related_items(const VectorSource& source, const ServeOptions& options,
                             const std::vector<int32_t>& of, std::ostream& out,
                             const ProgressFn& progress) {
  return related_items(source, options, RelatedRequest{of, false}, out, progress);
}

RelatedSummary related_items(const VectorSource& source, const ServeOptions& options,
                             const RelatedRequest& request, std::ostream& out,
                             const ProgressFn& progress) {
  const std::vector<int32_t>& of = request.items;
  const auto t0 = std::chrono::steady_clock::now();
  RelatedSummary s;
  TopKOptions o;
  o.k = options.k;
  o.threads = options.scoring_threads();
  o.query_block = options.query_block;
  o.item_chunk = options.item_chunk;
  const Dataset& data = source.run().data;
  const NearestItems nearest = [&] {
    const std::vector<float> items = source.all_items();
    return NearestItems({items.data(), source.num_items(), source.dim()}, o);
  }();
  const std::vector<int64_t> queries(of.begin(), of.end());
  out << (request.titles ? "item_id,rank,similar_item_id,distance,title\n"
                         : "item_id,rank,similar_item_id,distance\n");
  std::string buf;
  char line[96];
  nearest.search(queries, [&](const NeighborBlock& b) {
    buf.clear();
    for (int64_t r = 0; r < b.count; ++r) {
      const long long id =
          static_cast<long long>(data.items.id(of[static_cast<size_t>(b.first + r)]));
      for (int64_t j = 0; j < b.found[r]; ++j) {
        const auto item = static_cast<int32_t>(b.items[r * b.k + j]);
        const int n = std::snprintf(line, sizeof line, "%lld,%lld,%lld,%.6g", id,
                                    static_cast<long long>(j + 1),
                                    static_cast<long long>(data.items.id(item)),
                                    static_cast<double>(b.distances[r * b.k + j]));
        buf.append(line, static_cast<size_t>(n));
        if (request.titles) {
          buf.push_back(',');
          if (static_cast<size_t>(item) < data.item_meta.title.size())
            append_csv_field(buf, data.item_meta.title[static_cast<size_t>(item)]);
        }
        buf.push_back('\n');
        ++s.rows;
      }
    }
    out << buf;
    if (progress)
      progress({"similar", static_cast<uint64_t>(b.first + b.count),
                static_cast<uint64_t>(of.size()), "items", ""});
  });
  s.items = static_cast<int64_t>(of.size());
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

}  // namespace towerrec

#include "serve/tower_inputs.h"

#include <vector>

#include "core/npy.h"
#include "run/run_data.h"

namespace towerrec {
namespace {

std::string npy_stem(const std::string& path) {
  const std::string ext = ".npy";
  if (path.size() > ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0)
    return path.substr(0, path.size() - ext.size());
  return path;
}

}  // namespace

std::string bag_rows_path_for(const std::string& npy_path) {
  return npy_stem(npy_path) + ".bag_rows.npy";
}
std::string bag_items_path_for(const std::string& npy_path) {
  return npy_stem(npy_path) + ".bag_items.npy";
}

TowerInputsSummary write_tower_inputs(const RunData& run, bool users, const std::string& npy_path) {
  const FeatureMatrix& raw = users ? run.features.user_raw : run.features.item_raw;
  const SparseRows& bag = users ? run.features.user_bag : run.features.item_bag;
  const IdMap& map = users ? run.data.users : run.data.items;
  TowerInputsSummary s;
  s.npy_path = npy_path;
  s.ids_path = ids_path_for(npy_path);
  s.rows = raw.rows;
  s.cols = raw.cols();
  if (!bag.empty()) {
    // Entries in row order; the towers weight each row's entries 1/sqrt(count) themselves.
    std::vector<int64_t> rows, items;
    rows.reserve(static_cast<size_t>(bag.nnz()));
    items.reserve(static_cast<size_t>(bag.nnz()));
    for (int64_t r = 0; r < bag.rows; ++r)
      for (int64_t k = bag.begin(r); k < bag.end(r); ++k) {
        rows.push_back(r);
        items.push_back(bag.index[static_cast<size_t>(k)]);
      }
    s.bag_entries = bag.nnz();
    s.bag_rows_path = bag_rows_path_for(npy_path);
    s.bag_items_path = bag_items_path_for(npy_path);
    write_npy(s.bag_rows_path, rows.data(), s.bag_entries, -1);
    write_npy(s.bag_items_path, items.data(), s.bag_entries, -1);
  }
  std::vector<std::string> ids(static_cast<size_t>(raw.rows));
  for (int64_t r = 0; r < raw.rows; ++r)
    ids[static_cast<size_t>(r)] = std::to_string(map.id(static_cast<int32_t>(r)));
  write_ids(s.ids_path, ids);
  write_npy(npy_path, raw.data.data(), raw.rows, raw.cols());
  return s;
}

}  // namespace towerrec

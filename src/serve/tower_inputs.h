// `towerrec features`: what the exported towers take as input, as files, so `torch.jit.load`-ed
// towers can be fed from Python without re-implementing towerrec's feature engineering:
//   X.npy            float32 [rows, n_features]: the RAW features (unscaled; the towers scale
//                    them) in the towers' input order (towers.json user_features/item_features)
//   X.ids            one id per line, row order (as `embed` writes)
//   X.bag_rows.npy   int64 [nnz]: the row of each bag entry      } only when the tower has a bag
//   X.bag_items.npy  int64 [nnz]: its position in the vocabulary } (watched_items / item_ids)
// so that `tower(x, bag_rows, bag_items)` gives `embed`'s vectors. Every file is written
// atomically; the bags and ids first, X.npy last.
#pragma once

#include <cstdint>
#include <string>

namespace towerrec {

struct RunData;

struct TowerInputsSummary {
  std::string npy_path;
  std::string ids_path;
  std::string bag_rows_path;   // empty when the tower has no bag
  std::string bag_items_path;  // empty when the tower has no bag
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t bag_entries = 0;
};

// users = false: items.
TowerInputsSummary write_tower_inputs(const RunData& run, bool users, const std::string& npy_path);

// X.npy -> X.bag_rows.npy / X.bag_items.npy (any other name: name + ".bag_rows.npy").
std::string bag_rows_path_for(const std::string& npy_path);
std::string bag_items_path_for(const std::string& npy_path);

}  // namespace towerrec

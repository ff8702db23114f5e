// Names shared by the writer (serve/torchscript_export.cpp) and the reader
// (serve/exported_towers.cpp) of an export directory: file names, towers.json's format tag and the
// modules' attributes. They are part of the file format (Python code reads them too), so change
// them only with the version.
#pragma once

#include <cstdint>

namespace towerrec {

inline constexpr const char* kUserTowerFile = "user_tower.pt";
inline constexpr const char* kItemTowerFile = "item_tower.pt";
inline constexpr const char* kTowersJsonFile = "towers.json";
// model.rating_head separate: the rating towers, same module layout and inputs as the towers above.
inline constexpr const char* kUserRatingTowerFile = "user_rating_tower.pt";
inline constexpr const char* kItemRatingTowerFile = "item_rating_tower.pt";
inline constexpr const char* kTowersFormat = "towerrec-towers";
inline constexpr int64_t kTowerFormatVersion = 1;

// Module attributes: "user" | "item", the format version, input width and output width.
inline constexpr const char* kAttrTower = "tower";
inline constexpr const char* kAttrFormat = "format_version";
inline constexpr const char* kAttrFeatures = "n_features";
inline constexpr const char* kAttrDim = "dim";
// User tower with watched items: the vocabulary size; forward(x, bag_rows, bag_items).
inline constexpr const char* kAttrBag = "n_watched_items";

// The floor on the output norm, as in model/tower.cpp (torch.nn.functional.normalize's eps).
inline constexpr double kTowerNormEps = 1e-12;

}  // namespace towerrec

// `towerrec embed`: the vectors of a whole catalogue (every item, rated or not) or of every user,
// as a float32 .npy [rows, dim] (numpy.load reads it) plus the ids in row order beside it (X.npy ->
// X.ids, one id per line). Rows are embedded and appended chunk by chunk, so memory is bounded by
// one chunk of vectors, not the catalogue; each file appears complete or not at all (atomic).
#pragma once

#include <cstdint>
#include <string>

#include "core/progress.h"

namespace towerrec {

class VectorSource;

struct EmbedSummary {
  std::string npy_path;
  std::string ids_path;
  int64_t rows = 0;
  int64_t dim = 0;
  double seconds = 0;
};

// users = false: items. Progress stage "embed items" / "embed users", unit "rows".
EmbedSummary embed_catalogue(const VectorSource& source, bool users, const std::string& npy_path,
                             const ProgressFn& progress = {});

}  // namespace towerrec

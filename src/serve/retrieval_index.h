// The ANN index a retrieval searches (serve/retrieval.h): loaded from or saved to `index_path`, or
// built in memory, then tuned for the retrieval's searches.
#pragma once

#include <memory>
#include <string>

#include "config/options.h"
#include "core/item_search.h"
#include "core/progress.h"
#include "serve/retrieval.h"

namespace towerrec {

class AnnIndex;

struct RetrievalIndex {
  std::shared_ptr<AnnIndex> index;
  RetrievalIndexReport report;
};

// Whether the retrieval configured by `options` searches an ANN index (user candidates, or the
// seed items' neighbours taken from the index).
bool retrieval_needs_index(const ServeOptions& options);

// `items` [n, dim], borrowed. `index_path`: an existing index (AnnIndex::save format) is loaded
// (Error when its size, dimension or item fingerprint differs from the catalogue's); a missing file
// receives the built index; empty: build, keep in memory. ef is raised so every search of the
// retrieval can return its k; search threads come from options.threads. Progress as
// AnnIndex::build.
RetrievalIndex load_or_build_retrieval_index(MatrixRef items, const ServeOptions& options,
                                             const std::string& index_path,
                                             const ProgressFn& progress);

}  // namespace towerrec

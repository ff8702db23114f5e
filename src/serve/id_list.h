// External ids given by the user (flags and one-id-per-line files) resolved to dense indices of a
// run's IdMap, with errors that say which id, where, and what the catalogue holds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace towerrec {

class IdMap;

// `text` as given to a flag (`what` names it, e.g. "--item"). Throws Error
// "--item 99999: no such item id (the run has 1500 items, ids 1..1500)" or "...: expected an
// integer id".
int32_t resolve_id(const IdMap& ids, const std::string& text, const std::string& what,
                   const std::string& noun);

// One id per line (blank lines and lines starting with '#' are skipped; a trailing CR is ignored).
// Throws IoError when unreadable and InputError "file:line: ..." for a malformed or unknown id.
// Duplicates are kept, in file order.
std::vector<int32_t> read_id_list(const std::string& path, const IdMap& ids,
                                  const std::string& noun);

}  // namespace towerrec

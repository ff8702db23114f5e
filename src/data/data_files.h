// Paths of the files inside a dataset directory.
#pragma once

#include <string>

namespace towerrec {

// dir + "/" + name, without doubling a trailing slash.
std::string data_file(const std::string& dir, const std::string& name);
// True when `path` exists (a file, or a directory that readers will then reject by name).
bool data_file_exists(const std::string& path);

}  // namespace towerrec

// A whole input file mapped read-only into memory (mmap), so readers tokenize it in place without a
// copy. Multi-GB rating files stream through: release_before() hands already-parsed pages back to
// the kernel so the mapping does not count twice against peak memory next to the parsed arrays.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace towerrec {

class MappedFile {
 public:
  // Throws IoError when `path` is missing or unreadable, and InputError(path, 0, ...) when it is a
  // directory. An empty file maps to an empty view (readers decide whether that is an error).
  explicit MappedFile(std::string path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::string& path() const { return path_; }
  std::string_view text() const { return {data_, size_}; }
  // Advises the kernel that bytes before `p` (a pointer into text()) will not be read again.
  void release_before(const char* p);
  // DelimitedReader::count_lines(text()) without leaving the whole file resident: pages are
  // released behind the scan (a later pass faults them back from the page cache).
  size_t count_lines();

 private:
  std::string path_;
  const char* data_ = nullptr;
  size_t size_ = 0;
  size_t released_ = 0;  // bytes from the start already released
};

}  // namespace towerrec

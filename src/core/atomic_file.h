// The one writer of files. Output goes to a temporary file beside the target
// ("<target>.tmp-<pid>-<n>"), is flushed and fsync'ed, then renamed over the target, so a reader
// (or a crash) sees either the old complete file or the new complete one, never a half-written
// file. If commit() is never reached the destructor removes the temporary file.
#pragma once

#include <fstream>
#include <string>

namespace towerrec {

class AtomicFile {
 public:
  // Opens the temporary file; throws IoError naming the target if its directory is not writable.
  explicit AtomicFile(std::string target, bool binary = false);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ostream& stream() { return out_; }
  const std::string& target() const { return target_; }
  // Flushes, syncs and renames into place. Throws IoError on any failure (the temp file is
  // removed).
  void commit();

 private:
  std::string target_;
  std::string temp_;
  std::ofstream out_;
  bool committed_ = false;
};

// Writes `contents` to `path` atomically.
void write_file_atomic(const std::string& path, const std::string& contents);

// Reads a whole file; throws IoError if it cannot be opened or is a directory.
std::string read_file(const std::string& path);

// Removes the temporary files ("<name>.tmp-<pid>-<n>") in `dir` left by writers that were killed
// before commit(): those whose process no longer runs. Readers never open temporary names, so this
// is tidying, not repair. Returns how many were removed; never throws.
int remove_stale_temp_files(const std::string& dir);

// Creates a directory and its parents; throws IoError when that fails or a file is in the way.
void make_dirs(const std::string& path);

}  // namespace towerrec

// One writer per output (issue 21). A command that writes a directory (train, compare, export,
// generate) holds an OutputLock on it for its whole life, and a command that writes single files in
// place of a directory (embed/recommend/similar --out, recommend --index) holds one on its output
// file; a second writer of the same output fails at once with LockedError, naming the output and
// the holder (pid and command line, read from the lock file; "unknown" if unreadable).
//
// The lock is an open-file-description lock on a lock file (fcntl F_OFD_SETLK): flock's
// semantics (owned by the open file, not by a thread; released by the kernel when the process
// exits or is killed, so a kill -9 never leaves a stale lock), plus a query that takes nothing
// (F_OFD_GETLK), which readers use to tell a run in progress from a killed one. The lock file is
// <dir>/towerrec.lock for a directory and <file>.lock beside a file. It holds "<pid>\n<command>\n".
// The holder removes it on release, before unlocking (an acquirer that locked a file since removed
// retries on the new one), so a finished output has no lock file; a killed holder leaves it
// behind unlocked, and the next writer takes it over. Readers never open it, and neither the
// stale-temporary cleanup nor a run's "previous outputs" cleanup removes it.
#pragma once

#include <optional>
#include <string>

namespace towerrec {

// The lock file's name inside a locked directory (a directory's own files are never named so).
inline constexpr const char* kDirLockFile = "towerrec.lock";

class OutputLock {
 public:
  // Locks directory `dir`, creating it (and its parents) when missing. A directory it created and
  // that is empty on release is removed again, so a writer that fails before writing anything
  // leaves no trace. Throws LockedError when another process holds the lock, IoError when the
  // directory or the lock file cannot be created.
  static OutputLock directory(const std::string& dir);
  // Locks the single output file `path` through "<path>.lock" beside it; path's directory must
  // exist. Throws as directory().
  static OutputLock file(const std::string& path);

  ~OutputLock();
  OutputLock(OutputLock&& other) noexcept;
  OutputLock& operator=(OutputLock&&) = delete;
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

  const std::string& lock_path() const { return lock_path_; }

 private:
  OutputLock(std::string output, std::string lock_path, std::string created_dir);

  std::string output_;  // what is locked (for messages)
  std::string lock_path_;
  std::string created_dir_;  // non-empty: created by this lock, removed on release if empty
  int fd_ = -1;
};

// The writer holding a lock, as its lock file names it.
struct LockHolder {
  std::string pid = "unknown";
  std::string command = "unknown";
};

// The holder of the lock on directory `dir`, or nullopt when no process holds it (no lock file,
// or one left by a killed writer). Takes no lock, so it never gets in a writer's way.
std::optional<LockHolder> directory_lock_holder(const std::string& dir);

}  // namespace towerrec

#include "core/output_lock.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/error.h"

namespace towerrec {
namespace {

namespace fs = std::filesystem;

// A lock file that keeps being removed between open and lock belongs to writers starting and
// finishing in a tight loop; give up after this many rounds rather than spin.
constexpr int kAttempts = 100;
constexpr size_t kMaxCommand = 1000;

// This process's command line from /proc/self/cmdline: the program's base name, then the
// arguments, shell-quoted where needed, control characters shown as '?', cut at kMaxCommand.
std::string own_command_line() {
  std::string raw;
  try {
    raw = read_file("/proc/self/cmdline");
  } catch (const Error&) {
    return "unknown";
  }
  std::string out;
  size_t begin = 0;
  for (int arg = 0; begin < raw.size() && out.size() < kMaxCommand; ++arg) {
    size_t end = raw.find('\0', begin);
    if (end == std::string::npos) end = raw.size();
    std::string a = raw.substr(begin, end - begin);
    begin = end + 1;
    if (arg == 0) a = fs::path(a).filename().string();
    for (char& c : a)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    const bool plain = !a.empty() && a.find_first_not_of(
                                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
                                         "OPQRSTUVWXYZ0123456789_./=:,@+-") == std::string::npos;
    if (!out.empty()) out += ' ';
    out += plain ? a : "'" + a + "'";
  }
  if (out.size() > kMaxCommand) out = out.substr(0, kMaxCommand) + "...";
  return out.empty() ? "unknown" : out;
}

// The holder a lock file names: "<pid>\n<command>\n"; a field that does not parse is "unknown".
LockHolder read_holder(int fd) {
  char buf[kMaxCommand + 64];
  const ssize_t n = ::pread(fd, buf, sizeof buf, 0);
  LockHolder h;
  if (n <= 0) return h;
  const std::string text(buf, static_cast<size_t>(n));
  const size_t nl = text.find('\n');
  if (nl == std::string::npos) return h;
  const std::string pid = text.substr(0, nl);
  if (pid.empty() || pid.size() > 10 || pid.find_first_not_of("0123456789") != std::string::npos)
    return h;
  h.pid = pid;
  const size_t end = text.find('\n', nl + 1);
  if (end != std::string::npos && end > nl + 1) h.command = text.substr(nl + 1, end - nl - 1);
  return h;
}

struct flock whole_file(short type) {
  struct flock fl = {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = 0;
  fl.l_len = 0;  // to the end, however long the file grows
  return fl;
}

bool same_file(int fd, const std::string& path) {
  struct stat held {
  }, now{};
  return ::fstat(fd, &held) == 0 && ::stat(path.c_str(), &now) == 0 && held.st_dev == now.st_dev &&
         held.st_ino == now.st_ino;
}

}  // namespace

OutputLock::OutputLock(std::string output, std::string lock_path, std::string created_dir)
    : output_(std::move(output)),
      lock_path_(std::move(lock_path)),
      created_dir_(std::move(created_dir)) {
  const std::string contents = std::to_string(::getpid()) + "\n" + own_command_line() + "\n";
  bool created = false;
  // On failure, a directory created here goes again (rmdir removes only an empty one).
  const auto fail = [&](const auto& e) {
    if (created) ::rmdir(created_dir_.c_str());
    throw e;
  };
  for (int attempt = 1;; ++attempt) {
    if (!created_dir_.empty()) {
      std::error_code ec;
      created = created || !fs::exists(created_dir_, ec);
      make_dirs(created_dir_);
    }
    const int fd = ::open(lock_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      const int err = errno;
      // The previous holder removed the directory it had created: create it again.
      if (err == ENOENT && !created_dir_.empty() && attempt < kAttempts) continue;
      fail(IoError("cannot write " + output_ + ": cannot create its lock file " + lock_path_ +
                   ": " + std::strerror(err) + " (is its directory present and writable?)"));
    }
    struct flock fl = whole_file(F_WRLCK);
    if (::fcntl(fd, F_OFD_SETLK, &fl) != 0) {
      const int err = errno;
      if (err == EAGAIN || err == EACCES) {
        const LockHolder h = read_holder(fd);
        ::close(fd);
        throw LockedError(output_ + ": in use by another writer, pid " + h.pid + " (" + h.command +
                          "); one writer at a time: wait for it to finish, or write elsewhere");
      }
      ::close(fd);
      fail(IoError("cannot lock " + lock_path_ + ": " + std::strerror(err)));
    }
    // The holder removes the file before it unlocks: a lock on a file no longer at lock_path_ is
    // no lock. Try again on the file that is there now.
    if (!same_file(fd, lock_path_)) {
      ::close(fd);
      if (attempt < kAttempts) continue;
      fail(IoError("cannot lock " + lock_path_ + ": it keeps being replaced"));
    }
    fd_ = fd;
    break;
  }
  if (!created) created_dir_.clear();
  // The contents only feed the message of a refused writer: a failed write leaves "unknown".
  if (::ftruncate(fd_, 0) == 0 &&
      ::pwrite(fd_, contents.data(), contents.size(), 0) != static_cast<ssize_t>(contents.size()))
    (void)::ftruncate(fd_, 0);
}

OutputLock OutputLock::directory(const std::string& dir) {
  return OutputLock(dir, dir + "/" + kDirLockFile, dir);
}

OutputLock OutputLock::file(const std::string& path) {
  return OutputLock(path, path + ".lock", "");
}

OutputLock::OutputLock(OutputLock&& other) noexcept
    : output_(std::move(other.output_)),
      lock_path_(std::move(other.lock_path_)),
      created_dir_(std::move(other.created_dir_)),
      fd_(std::exchange(other.fd_, -1)) {}

OutputLock::~OutputLock() {
  if (fd_ < 0) return;
  // Remove, then unlock (close): a writer that opened this file meanwhile finds it gone once it
  // holds the lock, and retries.
  ::unlink(lock_path_.c_str());
  if (!created_dir_.empty()) ::rmdir(created_dir_.c_str());  // only when empty
  ::close(fd_);
}

std::optional<LockHolder> directory_lock_holder(const std::string& dir) {
  const std::string path = dir + "/" + kDirLockFile;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct flock fl = whole_file(F_WRLCK);
  std::optional<LockHolder> holder;
  if (::fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) holder = read_holder(fd);
  ::close(fd);
  return holder;
}

}  // namespace towerrec

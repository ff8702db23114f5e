#include "core/atomic_file.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "core/error.h"

namespace towerrec {
namespace {

std::atomic<uint64_t> g_temp_counter{0};

std::string temp_name_for(const std::string& target) {
  return target + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(g_temp_counter++);
}

void fsync_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

AtomicFile::AtomicFile(std::string target, bool binary)
    : target_(std::move(target)), temp_(temp_name_for(target_)) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(target_, ec))
    throw IoError("cannot write " + target_ + ": it is a directory, expected a file path");
  out_.open(temp_, binary ? std::ios::out | std::ios::binary | std::ios::trunc
                          : std::ios::out | std::ios::trunc);
  if (!out_)
    throw IoError("cannot write " + target_ + ": " + std::strerror(errno) +
                  " (is its directory present and writable?)");
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    out_.close();
    std::remove(temp_.c_str());
  }
}

void AtomicFile::commit() {
  out_.flush();
  bool ok = static_cast<bool>(out_);
  out_.close();
  if (!ok || out_.fail()) {
    std::remove(temp_.c_str());
    committed_ = true;
    throw IoError("cannot write " + target_ + ": write failed (disk full?)");
  }
  fsync_path(temp_);
  if (std::rename(temp_.c_str(), target_.c_str()) != 0) {
    int err = errno;
    std::remove(temp_.c_str());
    committed_ = true;
    throw IoError("cannot rename " + temp_ + " to " + target_ + ": " + std::strerror(err));
  }
  committed_ = true;
  // Make the rename itself durable.
  std::filesystem::path dir = std::filesystem::path(target_).parent_path();
  fsync_path(dir.empty() ? "." : dir.string());
}

void write_file_atomic(const std::string& path, const std::string& contents) {
  AtomicFile f(path, /*binary=*/true);
  f.stream().write(contents.data(), static_cast<std::streamsize>(contents.size()));
  f.commit();
}

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw IoError("cannot read " + path + ": it is a directory, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw IoError("cannot read " + path + ": read failed");
  return ss.str();
}

int remove_stale_temp_files(const std::string& dir) {
  namespace fs = std::filesystem;
  int removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    // "<target>.tmp-<pid>-<n>": digits, '-', digits after the last ".tmp-".
    const size_t at = name.rfind(".tmp-");
    if (at == std::string::npos || at == 0) continue;
    const std::string tail = name.substr(at + 5);
    const size_t dash = tail.find('-');
    if (dash == std::string::npos || dash == 0 || dash + 1 == tail.size() ||
        tail.find_first_not_of("0123456789-") != std::string::npos ||
        tail.find('-', dash + 1) != std::string::npos)
      continue;
    const long pid = std::strtol(tail.substr(0, dash).c_str(), nullptr, 10);
    if (pid <= 0 || pid == ::getpid()) continue;
    // ESRCH: no such process. EPERM means it runs under another user: leave its file alone.
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    std::error_code rm;
    if (fs::remove(it->path(), rm)) ++removed;
  }
  return removed;
}

void make_dirs(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(path, ec) && !fs::is_directory(path, ec))
    throw IoError("cannot create directory " + path + ": a file is in the way");
  fs::create_directories(path, ec);
  if (ec) throw IoError("cannot create directory " + path + ": " + ec.message());
}

}  // namespace towerrec

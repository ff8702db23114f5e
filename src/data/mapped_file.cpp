#include "data/mapped_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "data/delimited_reader.h"

namespace towerrec {

MappedFile::MappedFile(std::string path) : path_(std::move(path)) {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError("cannot open " + path_ + ": " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    throw IoError("cannot stat " + path_ + ": " + std::strerror(e));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw InputError(path_, 0, "expected a file, found a directory");
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      const int e = errno;
      ::close(fd);
      throw IoError("cannot map " + path_ + ": " + std::strerror(e));
    }
    data_ = static_cast<const char*>(p);
    ::madvise(p, size_, MADV_SEQUENTIAL);
  }
  ::close(fd);  // the mapping keeps the file alive
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<char*>(data_), size_);
}

void MappedFile::release_before(const char* p) {
  if (!data_ || p < data_ || p > data_ + size_) return;
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const size_t upto = (static_cast<size_t>(p - data_) / page) * page;
  // Releasing in big steps keeps the syscall count negligible.
  if (upto < released_ + (32u << 20)) return;
  ::madvise(const_cast<char*>(data_) + released_, upto - released_, MADV_DONTNEED);
  released_ = upto;
}

size_t MappedFile::count_lines() {
  constexpr size_t kChunk = size_t{32} << 20;
  size_t lines = 0;
  for (size_t off = 0; off < size_; off += kChunk) {
    const size_t len = std::min(kChunk, size_ - off);
    lines += DelimitedReader::count_lines(std::string_view(data_ + off, len));
    // A chunk that ends mid-line was counted as a line; the next chunk continues it.
    if (off + len < size_ && data_[off + len - 1] != '\n') --lines;
    release_before(data_ + off + len);
  }
  released_ = 0;  // the parse that follows releases its own way through the file
  return lines;
}

}  // namespace towerrec

// Little helpers for the project's binary files (model.ckpt, train_state.bin): appending fixed-size
// values to a byte string, their FNV-1a checksum, and a bounds-checked cursor that reads them back
// and names the byte offset of whatever is missing or wrong
// ("file: byte N: truncated: expected 8 bytes of step, found 3").
// Values are written in the machine's byte order; the files say so in their format notes.
#pragma once

#include <cstdint>
#include <cstring>
#include <ostream>
#include <string>
#include <vector>

#include "core/error.h"

namespace towerrec {

// FNV-1a, the checksum both files end with (and, seeded, a running hash over several pieces).
inline uint64_t fnv1a(const char* data, size_t size, uint64_t h = 0xcbf29ce484222325ULL) {
  for (size_t i = 0; i < size; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 0x100000001b3ULL;
  }
  return h;
}

template <class T>
void append_pod(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

template <class T>
void write_pod(std::ostream& out, T value) {
  out.write(reinterpret_cast<const char*>(&value), sizeof value);
}

// A count (uint64) followed by the elements.
template <class T>
void append_vector(std::string& out, const std::vector<T>& v) {
  append_pod<uint64_t>(out, v.size());
  out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

// Reads fixed-size pieces of a file held in memory; every error is a FormatError at a byte offset.
class ByteCursor {
 public:
  // Both strings must outlive the cursor.
  ByteCursor(const std::string& path, const std::string& bytes) : path_(path), bytes_(bytes) {}

  const char* take(uint64_t n, const std::string& what) {
    const uint64_t left = bytes_.size() - pos_;
    if (n > left)
      fail("truncated: expected " + std::to_string(n) + " bytes of " + what + ", found " +
           std::to_string(left));
    const char* p = bytes_.data() + pos_;
    pos_ += n;
    return p;
  }
  template <class T>
  T get(const std::string& what) {
    T value;
    std::memcpy(&value, take(sizeof value, what), sizeof value);
    return value;
  }
  // A count-prefixed array (see append_vector); `want` (if >= 0) is the count it must have.
  template <class T>
  std::vector<T> get_vector(const std::string& what, int64_t want) {
    const uint64_t count_pos = pos_;
    const uint64_t n = get<uint64_t>(what + " count");
    if (want >= 0 && n != static_cast<uint64_t>(want))
      fail_at(count_pos,
              "expected " + std::to_string(want) + " " + what + ", found " + std::to_string(n));
    if (n > left() / sizeof(T))
      fail("truncated: expected " + std::to_string(n) + " " + what + " (" +
           std::to_string(n * sizeof(T)) + " bytes), found " + std::to_string(left()) + " bytes");
    std::vector<T> v(n);
    std::memcpy(v.data(), take(n * sizeof(T), what), n * sizeof(T));
    return v;
  }
  // `n` raw bytes.
  std::string get_string(uint64_t n, const std::string& what) {
    return std::string(take(n, what), n);
  }
  // `n` elements without a count prefix (the count comes from elsewhere in the file).
  template <class T>
  std::vector<T> get_array(uint64_t n, const std::string& what) {
    if (n > left() / sizeof(T))
      fail("truncated: expected " + std::to_string(n * sizeof(T)) + " bytes of " + what +
           ", found " + std::to_string(left()));
    std::vector<T> v(n);
    std::memcpy(v.data(), take(n * sizeof(T), what), n * sizeof(T));
    return v;
  }
  uint64_t pos() const { return pos_; }
  uint64_t left() const { return bytes_.size() - pos_; }
  uint64_t size() const { return bytes_.size(); }
  [[noreturn]] void fail(const std::string& message) const { fail_at(pos_, message); }
  [[noreturn]] void fail_at(uint64_t pos, const std::string& message) const {
    throw FormatError(path_, pos, message);
  }

 private:
  const std::string& path_;
  const std::string& bytes_;
  uint64_t pos_ = 0;
};

}  // namespace towerrec

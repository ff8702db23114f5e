// The frame every towerrec binary file shares (train_state.bin, CF models; see docs of each):
//   char magic[8]        names the kind of file
//   uint32 version       the format version
//   uint32 n, n bytes    a JSON header (the file's config and sizes; parsed by the caller)
//   payload              the kind's fixed-size pieces, read with the ByteCursor
//   uint64 hash          FNV-1a of every byte before it
// Written in the machine's byte order, atomically (core/atomic_file.h). Reading checks the magic,
// the version (an older one gets the format's "re-train / re-export" remedy, a newer one the
// version this build reads), the pieces as they are read (a short file fails at the piece it
// lacks), then the hash and the end of the file. Errors are FormatError at a byte offset.
#pragma once

#include <cstdint>
#include <string>

#include "core/byte_cursor.h"

namespace towerrec {

struct FrameFormat {
  const char* magic;   // exactly 8 characters
  uint32_t version;    // the version this build writes and reads
  const char* kind;    // what the file is, for messages: "a towerrec CF model"
  const char* remedy;  // what to do with a file of an older version: "re-train the model"
};

// Byte offset of the header JSON in every framed file.
constexpr uint64_t kFrameHeaderStart = 16;

// Collects a framed file's bytes: the frame's head at construction, payload pieces appended with
// core/byte_cursor.h's append_* helpers on bytes(), the hash at commit.
class FramedWriter {
 public:
  FramedWriter(const FrameFormat& format, const std::string& header_json,
               size_t payload_bytes_hint = 0);
  std::string& bytes() { return bytes_; }
  // Appends the hash and writes `path` atomically.
  void commit(const std::string& path);

 private:
  std::string bytes_;
};

// Reads a framed file whole; the constructor checks magic and version and reads the header.
class FramedReader {
 public:
  // Throws IoError when `path` cannot be read, FormatError for a foreign file, another version or
  // a header cut short.
  FramedReader(const std::string& path, const FrameFormat& format);
  FramedReader(const FramedReader&) = delete;
  FramedReader& operator=(const FramedReader&) = delete;

  const std::string& header() const { return header_; }  // the JSON text
  // The payload, positioned after the header.
  ByteCursor& payload() { return cursor_; }
  // After the payload: reads the hash, checks it over every byte before it, and checks the end of
  // the file.
  void finish();

 private:
  std::string path_;
  std::string bytes_;
  ByteCursor cursor_;
  std::string header_;
};

}  // namespace towerrec

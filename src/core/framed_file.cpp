#include "core/framed_file.h"

#include <cstring>

#include "core/atomic_file.h"
#include "core/error.h"

namespace towerrec {

FramedWriter::FramedWriter(const FrameFormat& format, const std::string& header_json,
                           size_t payload_bytes_hint) {
  TOWERREC_CHECK(std::strlen(format.magic) == 8);
  bytes_.reserve(kFrameHeaderStart + header_json.size() + payload_bytes_hint + 8);
  bytes_.append(format.magic, 8);
  append_pod<uint32_t>(bytes_, format.version);
  append_pod<uint32_t>(bytes_, static_cast<uint32_t>(header_json.size()));
  bytes_ += header_json;
}

void FramedWriter::commit(const std::string& path) {
  append_pod<uint64_t>(bytes_, fnv1a(bytes_.data(), bytes_.size()));
  write_file_atomic(path, bytes_);
}

FramedReader::FramedReader(const std::string& path, const FrameFormat& format)
    : path_(path), bytes_(read_file(path)), cursor_(path_, bytes_) {
  if (bytes_.size() < 8 || std::memcmp(bytes_.data(), format.magic, 8) != 0)
    cursor_.fail("expected magic \"" + std::string(format.magic, 8) + "\" (" + format.kind +
                 "), found " + quote_found(bytes_.substr(0, 8)));
  cursor_.take(8, "magic");
  const uint64_t version_pos = cursor_.pos();
  const uint32_t version = cursor_.get<uint32_t>("format version");
  if (version < format.version)
    cursor_.fail_at(version_pos, "format version " + std::to_string(version) +
                                     " is from an older towerrec (this build reads version " +
                                     std::to_string(format.version) + "): " + format.remedy);
  if (version != format.version)
    cursor_.fail_at(version_pos, "expected format version " + std::to_string(format.version) +
                                     " (this build's), found " + std::to_string(version));
  const uint32_t header_size = cursor_.get<uint32_t>("header length");
  header_ = cursor_.get_string(header_size, "header JSON");
}

void FramedReader::finish() {
  const uint64_t hash_pos = cursor_.pos();
  const uint64_t hash = cursor_.get<uint64_t>("hash");
  if (hash != fnv1a(bytes_.data(), hash_pos))
    cursor_.fail_at(hash_pos,
                    "expected the FNV-1a hash of the preceding bytes: the file is corrupt");
  if (cursor_.left() != 0)
    cursor_.fail("expected the end of the file, found " + std::to_string(cursor_.left()) +
                 " more bytes");
}

}  // namespace towerrec

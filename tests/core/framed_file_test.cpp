#include "core/framed_file.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "test_util.h"

using namespace towerrec;

namespace {

constexpr FrameFormat kTestFormat = {"TESTFILE", 3, "a towerrec test file", "re-export it"};

std::string write_sample(const test::TempDir& dir) {
  FramedWriter w(kTestFormat, R"({"n":2})");
  append_pod<int32_t>(w.bytes(), 7);
  append_vector(w.bytes(), std::vector<float>{1.5f, -2.f});
  const std::string path = dir.file("sample.bin");
  w.commit(path);
  return path;
}

}  // namespace

TEST_CASE("framed file: header and payload round-trip, hash and end checked", "[core]") {
  test::TempDir dir;
  const std::string path = write_sample(dir);
  {
    FramedReader r(path, kTestFormat);
    CHECK(r.header() == R"({"n":2})");
    CHECK(r.payload().pos() == kFrameHeaderStart + 7);
    CHECK(r.payload().get<int32_t>("seven") == 7);
    CHECK(r.payload().get_vector<float>("floats", 2) == std::vector<float>{1.5f, -2.f});
    CHECK_NOTHROW(r.finish());
  }
  const std::string bytes = read_file(path);
  const std::string hash_at = std::to_string(bytes.size() - 8);
  std::string flipped = bytes;
  flipped[bytes.size() - 10] ^= 1;
  const std::string flipped_path = dir.write("flipped.bin", flipped);
  FramedReader r(flipped_path, kTestFormat);
  r.payload().take(bytes.size() - 8 - r.payload().pos(), "payload");
  CHECK_THROWS_WITH(r.finish(), flipped_path + ": byte " + hash_at +
                                    ": expected the FNV-1a hash of the preceding bytes: the file "
                                    "is corrupt");
  const std::string long_path = dir.write("long.bin", bytes + "x");
  FramedReader l(long_path, kTestFormat);
  l.payload().take(bytes.size() - 8 - l.payload().pos(), "payload");
  CHECK_THROWS_WITH(l.finish(), long_path + ": byte " + std::to_string(bytes.size()) +
                                    ": expected the end of the file, found 1 more bytes");
}

TEST_CASE("framed file: foreign, older and newer files are refused with what to do", "[core]") {
  test::TempDir dir;
  const std::string bytes = read_file(write_sample(dir));
  const std::string foreign = dir.write("foreign.bin", "NOTATEST and more");
  CHECK_THROWS_WITH(FramedReader(foreign, kTestFormat),
                    foreign +
                        ": byte 0: expected magic \"TESTFILE\" (a towerrec test file), found "
                        "\"NOTATEST\"");
  std::string older = bytes;
  older[8] = 2;
  const std::string older_path = dir.write("older.bin", older);
  CHECK_THROWS_WITH(FramedReader(older_path, kTestFormat),
                    older_path +
                        ": byte 8: format version 2 is from an older towerrec (this build reads "
                        "version 3): re-export it");
  std::string newer = bytes;
  newer[8] = 4;
  const std::string newer_path = dir.write("newer.bin", newer);
  CHECK_THROWS_WITH(FramedReader(newer_path, kTestFormat),
                    newer_path + ": byte 8: expected format version 3 (this build's), found 4");
  const std::string short_path = dir.write("short.bin", bytes.substr(0, 20));
  CHECK_THROWS_WITH(FramedReader(short_path, kTestFormat),
                    short_path + ": byte 16: truncated: expected 7 bytes of header JSON, found 4");
  CHECK_THROWS_AS(FramedReader(dir.file("missing.bin"), kTestFormat), IoError);
}

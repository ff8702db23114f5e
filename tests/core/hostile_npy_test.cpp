// Hostile .npy files (and their .ids sidecars): one CTest test per row, each the exact
// "file: byte N: ..." error; huge declared shapes are rejected before anything is allocated.
#include <cstdint>
#include <string>

#include "core/npy.h"
#include "hostile_case.h"

// A named namespace, not an anonymous one: unity builds compile several case tables in one
// translation unit, and each table has its own kBase, ratings(), registered.
namespace towerrec::test::hostile_npy {

const std::string kDict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

// A format 1.0 file: magic, version, header length, `dict` padded with spaces to a 64-byte boundary
// plus '\n', then `data_bytes` zero bytes.
std::string npy(const std::string& dict, size_t data_bytes, int major = 1) {
  std::string header = dict;
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header + std::string(data_bytes, '\0');
}

// The byte where `what` starts inside the header dict of a format 1.0 file.
std::string at(const std::string& dict, const std::string& what) {
  return std::to_string(10 + dict.find(what));
}

std::string with(const std::string& from, const std::string& to) {
  std::string d = kDict;
  d.replace(d.find(from), from.size(), to);
  return d;
}

struct NpyCase {
  std::string name;
  std::string bytes;           // contents of x.npy (kMakeDir: a directory)
  std::string expected;        // message prefix
  std::string reader = "f32";  // f32 | i64 | ids (bytes is then x.ids, read expecting 2 ids)
};

void run(const NpyCase& c) {
  TempDir dir;
  const std::string file = c.reader == "ids" ? "x.ids" : "x.npy";
  write_case_files(dir, {{file, c.bytes}});
  const std::string path = dir.file(file);
  check_message(error_of([&] {
                  if (c.reader == "f32") read_npy_f32(path);
                  if (c.reader == "i64") read_npy_i64(path);
                  if (c.reader == "ids") read_ids(path, 2);
                }),
                dir.path(), c.expected);
}

const size_t kSize = npy(kDict, 24).size();  // 64 header bytes + 24 data bytes

const bool registered = register_rows<NpyCase>(
    "hostile npy", "[core][hostile]",
    {
        {"zero-length file", "",
         "x.npy: byte 0: expected the .npy magic \"\\x93NUMPY\", found \"\""},
        {"wrong magic (a zip file)", "PK\x03\x04" + std::string(60, 'z'),
         "x.npy: byte 0: expected the .npy magic \"\\x93NUMPY\", found \"PK\\x03\\x04"},
        {"truncated preamble", "\x93NUMPY\x01",
         "x.npy: byte 7: expected a complete .npy preamble, found end of file"},
        {"unknown format version", npy(kDict, 24, 9),
         "x.npy: byte 6: expected .npy format version 1.0 or 2.0, found 9.0"},
        {"header length beyond the file", npy(kDict, 24).replace(8, 2, "\xff\xff"),
         "x.npy: byte " + std::to_string(kSize) +
             ": expected a header of 65535 bytes, found end of file (truncated?)"},
        {"truncated data", npy(kDict, 20),
         "x.npy: byte " + std::to_string(kSize - 4) +
             ": expected 24 data bytes for shape (2, 3) of <f4, found 20 (truncated?)"},
        {"truncated inside the header", npy(kDict, 24).substr(0, 40),
         "x.npy: byte 40: expected a header of 118 bytes, found end of file (truncated?)"},
        {"extra data", npy(kDict, 28),
         "x.npy: byte " + std::to_string(kSize + 4) +
             ": expected 24 data bytes for shape (2, 3) of <f4, found 28"},
        {"big-endian float64", npy(with("<f4", ">f8"), 48),
         "x.npy: byte " + at(kDict, "'<f4'") +
             ": expected dtype '<f4', '<i8' or '<i4', found \">f8\""},
        {"Fortran order", npy(with("False", "True"), 24),
         "x.npy: byte " + at(kDict, "False") +
             ": expected C order (fortran_order: False), found Fortran order"},
        {"3-D shape", npy(with("(2, 3)", "(2, 3, 1)"), 24),
         "x.npy: byte " + at(kDict, "(2, 3)") +
             ": expected a 1-D or 2-D array, found shape (2, 3, 1)"},
        {"negative shape", npy(with("(2, 3)", "(-2, 3)"), 24),
         "x.npy: byte " + std::to_string(10 + kDict.find("(2, 3)") + 1) +
             ": expected a non-negative integer in the shape tuple"},
        {"missing key", npy("{'descr': '<f4', 'shape': (2, 3), }", 24),
         "x.npy: byte " + std::to_string(10 + 34) +
             ": expected keys 'descr', 'fortran_order' and 'shape' in the header dict"},
        {"unknown key", npy(with("'fortran_order'", "'order'"), 24),
         "x.npy: byte " + at(kDict, "'fortran_order'") +
             ": expected key 'descr', 'fortran_order' or 'shape', found \"order\""},
        {"unterminated header string", npy("{'descr': '<f4", 0),
         "x.npy: byte 20: expected a closing quote in the header dict"},
        {"huge declared shape", npy(with("(2, 3)", "(1099511627776, 4)"), 24),
         "x.npy: byte " + std::to_string(kSize) +
             ": expected 17592186044416 data bytes for shape (1099511627776, 4) of <f4, found 24 "
             "(truncated?)"},
        {"shape whose byte count overflows 64 bits",
         npy(with("(2, 3)", "(4294967296, 4294967296)"), 0),
         "x.npy: byte 128: expected a shape whose data fits in a file, found "
         "(4294967296, 4294967296) of <f4 (over 2^63 bytes) with 0 data bytes"},
        {"shape entry beyond 2^50", npy(with("(2, 3)", "(99999999999999999999, 3)"), 24),
         "x.npy: byte 77: expected a shape entry below 2^50"},
        {"int64 data read as float32", npy(with("<f4", "<i8"), 48),
         "x.npy: byte 0: expected dtype '<f4', found '<i8'"},
        {"float32 data read as int64", npy(with("(2, 3)", "(0, 3)"), 0),
         "x.npy: byte 0: expected dtype '<i8' or '<i4', found '<f4'", "i64"},
        {"a directory where the file was expected", kMakeDir,
         "cannot read {dir}/x.npy: it is a directory, expected a file"},
        {"ids with an empty line", "7\n\n9\n", "x.ids:2: expected an id, got an empty line", "ids"},
        {"ids fewer than rows", "7\n",
         "x.ids:0: expected 2 ids (one per row of the matrix), found 1", "ids"},
    },
    run);

}  // namespace towerrec::test::hostile_npy

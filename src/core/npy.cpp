#include "core/npy.h"

#include <cctype>
#include <cstring>
#include <filesystem>
#include <limits>

#include "core/atomic_file.h"
#include "core/error.h"

namespace towerrec {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
// numpy >= 1.? pads the header so data starts on a 64-byte boundary (good for mmap); older readers
// only need 16, so 64 satisfies both.
constexpr size_t kAlign = 64;

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

std::string make_header(NpyDtype dtype, const std::vector<int64_t>& shape) {
  std::string dict = std::string("{'descr': '") + npy_descr(dtype) +
                     "', 'fortran_order': False, 'shape': " + shape_text(shape) + ", }";
  // magic(6) + version(2) + header_len(2) + dict + padding + '\n' is a multiple of kAlign.
  const size_t unpadded = kMagicLen + 2 + 2 + dict.size() + 1;
  dict.append((kAlign - unpadded % kAlign) % kAlign, ' ');
  dict += '\n';
  std::string out(kMagic, kMagicLen);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>((dict.size() >> 8) & 0xff);
  return out + dict;
}

// A tiny parser for the one Python dict literal numpy writes: {'descr': '<f4', 'fortran_order':
// False, 'shape': (3, 4), }. Keys may come in any order.
class HeaderParser {
 public:
  HeaderParser(const std::string& path, const std::string& text, uint64_t base)
      : path_(path), s_(text), base_(base) {}

  NpyHeader parse() {
    NpyHeader h;
    bool have_descr = false, have_order = false, have_shape = false;
    skip_ws();
    expect('{');
    for (;;) {
      skip_ws();
      if (peek() == '}') break;
      const size_t key_pos = pos_;
      const std::string key = string_literal();
      skip_ws();
      expect(':');
      skip_ws();
      if (key == "descr") {
        const size_t at = pos_;
        const std::string d = string_literal();
        if (d == "<f4")
          h.dtype = NpyDtype::kFloat32;
        else if (d == "<i8")
          h.dtype = NpyDtype::kInt64;
        else if (d == "<i4")
          h.dtype = NpyDtype::kInt32;
        else
          fail(at, "expected dtype '<f4', '<i8' or '<i4', found " + quote_found(d));
        have_descr = true;
      } else if (key == "fortran_order") {
        const size_t at = pos_;
        if (s_.compare(pos_, 5, "False") == 0) {
          pos_ += 5;
        } else if (s_.compare(pos_, 4, "True") == 0) {
          fail(at, "expected C order (fortran_order: False), found Fortran order");
        } else {
          fail(at, "expected False or True for fortran_order");
        }
        have_order = true;
      } else if (key == "shape") {
        h.shape = shape_tuple();
        have_shape = true;
      } else {
        fail(key_pos,
             "expected key 'descr', 'fortran_order' or 'shape', found " + quote_found(key));
      }
      skip_ws();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      skip_ws();
      if (peek() != '}') fail(pos_, "expected ',' or '}' in the header dict");
    }
    if (!have_descr || !have_order || !have_shape)
      fail(pos_, "expected keys 'descr', 'fortran_order' and 'shape' in the header dict");
    return h;
  }

 private:
  [[noreturn]] void fail(size_t at, const std::string& msg) const {
    throw FormatError(path_, base_ + at, msg);
  }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }
  void expect(char c) {
    if (peek() != c) fail(pos_, std::string("expected '") + c + "' in the header dict");
    ++pos_;
  }
  std::string string_literal() {
    const char q = peek();
    if (q != '\'' && q != '"') fail(pos_, "expected a quoted string in the header dict");
    const size_t end = s_.find(q, pos_ + 1);
    if (end == std::string::npos) fail(pos_, "expected a closing quote in the header dict");
    std::string out = s_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return out;
  }
  std::vector<int64_t> shape_tuple() {
    const size_t at = pos_;
    expect('(');
    std::vector<int64_t> shape;
    for (;;) {
      skip_ws();
      if (peek() == ')') {
        ++pos_;
        break;
      }
      if (!std::isdigit(static_cast<unsigned char>(peek())))
        fail(pos_, "expected a non-negative integer in the shape tuple");
      int64_t v = 0;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        if (v > (int64_t{1} << 50)) fail(pos_, "expected a shape entry below 2^50");
        v = v * 10 + (s_[pos_++] - '0');
      }
      shape.push_back(v);
      skip_ws();
      if (peek() == ',') ++pos_;
    }
    if (shape.size() != 1 && shape.size() != 2)
      fail(at, "expected a 1-D or 2-D array, found shape " + shape_text(shape));
    return shape;
  }

  const std::string& path_;
  const std::string& s_;
  uint64_t base_;
  size_t pos_ = 0;
};

NpyHeader parse_header(const std::string& path, std::istream& in, uint64_t file_size) {
  char pre[12];
  in.read(pre, 10);
  if (in.gcount() < 10 || std::memcmp(pre, kMagic, kMagicLen) != 0) {
    if (in.gcount() >= static_cast<std::streamsize>(kMagicLen) &&
        std::memcmp(pre, kMagic, kMagicLen) == 0)
      throw FormatError(path, static_cast<uint64_t>(in.gcount()),
                        "expected a complete .npy preamble, found end of file");
    throw FormatError(path, 0,
                      "expected the .npy magic \"\\x93NUMPY\", found " +
                          quote_found(std::string(pre, static_cast<size_t>(in.gcount()))));
  }
  const int major = static_cast<unsigned char>(pre[6]);
  const int minor = static_cast<unsigned char>(pre[7]);
  uint64_t header_len = 0;
  uint64_t header_start = 10;
  if (major == 1 && minor == 0) {
    header_len = static_cast<unsigned char>(pre[8]) | (static_cast<unsigned char>(pre[9]) << 8);
  } else if ((major == 2 || major == 3) && minor == 0) {
    in.read(pre + 10, 2);
    if (in.gcount() < 2)
      throw FormatError(path, 10, "expected a complete .npy preamble, found end of file");
    header_len = 0;
    for (int i = 3; i >= 0; --i)
      header_len = (header_len << 8) | static_cast<unsigned char>(pre[8 + i]);
    header_start = 12;
  } else {
    throw FormatError(path, 6,
                      "expected .npy format version 1.0 or 2.0, found " + std::to_string(major) +
                          "." + std::to_string(minor));
  }
  if (header_start + header_len > file_size)
    throw FormatError(path, file_size,
                      "expected a header of " + std::to_string(header_len) +
                          " bytes, found end of file (truncated?)");
  std::string text(header_len, '\0');
  in.read(text.data(), static_cast<std::streamsize>(header_len));
  if (static_cast<uint64_t>(in.gcount()) != header_len)
    throw FormatError(path, header_start + static_cast<uint64_t>(in.gcount()),
                      "expected the rest of the header, found end of file");
  NpyHeader h = HeaderParser(path, text, header_start).parse();
  h.data_offset = header_start + header_len;
  const uint64_t have = file_size - h.data_offset;
  // Entries are below 2^50 each, but their product times the item size can wrap uint64 to a small
  // number (even to the size of the file), and rows * cols then overflows int64 in every reader.
  uint64_t want = static_cast<uint64_t>(npy_item_size(h.dtype));
  for (int64_t d : h.shape) {
    if (__builtin_mul_overflow(want, static_cast<uint64_t>(d), &want) ||
        want > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      throw FormatError(path, file_size,
                        "expected a shape whose data fits in a file, found " + shape_text(h.shape) +
                            " of " + npy_descr(h.dtype) + " (over 2^63 bytes) with " +
                            std::to_string(have) + " data bytes");
    }
  }
  if (have != want)
    throw FormatError(path, file_size,
                      "expected " + std::to_string(want) + " data bytes for shape " +
                          shape_text(h.shape) + " of " + npy_descr(h.dtype) + ", found " +
                          std::to_string(have) + (have < want ? " (truncated?)" : ""));
  return h;
}

uint64_t file_size_of(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw IoError("cannot read " + path + ": it is a directory, expected a file");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw IoError("cannot read " + path + ": " + ec.message());
  return size;
}

}  // namespace

const char* npy_descr(NpyDtype dtype) {
  switch (dtype) {
    case NpyDtype::kFloat32:
      return "<f4";
    case NpyDtype::kInt64:
      return "<i8";
    case NpyDtype::kInt32:
      return "<i4";
  }
  return "?";
}

int64_t npy_item_size(NpyDtype dtype) { return dtype == NpyDtype::kInt64 ? 8 : 4; }

// ---- writing

NpyWriter::NpyWriter(std::string path, NpyDtype dtype, int64_t rows, int64_t cols)
    : file_(std::make_unique<AtomicFile>(std::move(path), /*binary=*/true)),
      dtype_(dtype),
      rows_(rows),
      cols_(cols) {
  TOWERREC_CHECK(rows >= 0);
  std::vector<int64_t> shape = {rows};
  if (cols >= 0) shape.push_back(cols);
  const std::string header = make_header(dtype, shape);
  file_->stream().write(header.data(), static_cast<std::streamsize>(header.size()));
}

NpyWriter::~NpyWriter() = default;

void NpyWriter::append_bytes(NpyDtype dtype, const void* values, int64_t n) {
  TOWERREC_CHECK(dtype == dtype_);
  TOWERREC_CHECK(n >= 0 && written_ + n <= rows_);
  // The .npy data is little-endian, as is every machine we build for.
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "npy writer assumes little-endian");
  file_->stream().write(static_cast<const char*>(values),
                        static_cast<std::streamsize>(n * cols() * npy_item_size(dtype)));
  written_ += n;
}

void NpyWriter::append(const float* values, int64_t n) {
  append_bytes(NpyDtype::kFloat32, values, n);
}
void NpyWriter::append(const int64_t* values, int64_t n) {
  append_bytes(NpyDtype::kInt64, values, n);
}
void NpyWriter::append(const int32_t* values, int64_t n) {
  append_bytes(NpyDtype::kInt32, values, n);
}

void NpyWriter::commit() {
  if (written_ != rows_)
    throw IoError("cannot write " + file_->target() + ": expected " + std::to_string(rows_) +
                  " rows, got " + std::to_string(written_));
  file_->commit();
}

void write_npy(const std::string& path, const float* values, int64_t rows, int64_t cols) {
  NpyWriter w(path, NpyDtype::kFloat32, rows, cols);
  w.append(values, rows);
  w.commit();
}
void write_npy(const std::string& path, const int64_t* values, int64_t rows, int64_t cols) {
  NpyWriter w(path, NpyDtype::kInt64, rows, cols);
  w.append(values, rows);
  w.commit();
}
void write_npy(const std::string& path, const int32_t* values, int64_t rows, int64_t cols) {
  NpyWriter w(path, NpyDtype::kInt32, rows, cols);
  w.append(values, rows);
  w.commit();
}

// ---- reading

NpyHeader read_npy_header(const std::string& path) { return NpyReader(path).header(); }

NpyReader::NpyReader(std::string path) : path_(std::move(path)) {
  const uint64_t size = file_size_of(path_);
  in_.open(path_, std::ios::binary);
  if (!in_) throw IoError("cannot read " + path_ + ": " + std::strerror(errno));
  header_ = parse_header(path_, in_, size);
  in_.seekg(static_cast<std::streamoff>(header_.data_offset));
}

void NpyReader::read_bytes(char* out, int64_t bytes) {
  in_.read(out, static_cast<std::streamsize>(bytes));
  if (in_.gcount() !=
      bytes)  // the size was checked on open, so only a file shrinking under us gets here
    throw FormatError(path_,
                      header_.data_offset + static_cast<uint64_t>(read_ * header_.cols() *
                                                                  npy_item_size(header_.dtype)),
                      "expected more array data, found end of file (file changed while reading?)");
}

int64_t NpyReader::read(float* out, int64_t n) {
  if (header_.dtype != NpyDtype::kFloat32)
    throw FormatError(
        path_, 0, std::string("expected dtype '<f4', found '") + npy_descr(header_.dtype) + "'");
  n = std::min(n, header_.rows() - read_);
  if (n <= 0) return 0;
  read_bytes(reinterpret_cast<char*>(out), n * header_.cols() * 4);
  read_ += n;
  return n;
}

int64_t NpyReader::read(int64_t* out, int64_t n) {
  if (header_.dtype == NpyDtype::kFloat32)
    throw FormatError(path_, 0, "expected dtype '<i8' or '<i4', found '<f4'");
  n = std::min(n, header_.rows() - read_);
  if (n <= 0) return 0;
  const int64_t count = n * header_.cols();
  if (header_.dtype == NpyDtype::kInt64) {
    read_bytes(reinterpret_cast<char*>(out), count * 8);
  } else {
    // Widen in place from the back so one buffer serves both widths.
    auto* narrow = reinterpret_cast<int32_t*>(out);
    read_bytes(reinterpret_cast<char*>(narrow), count * 4);
    for (int64_t i = count - 1; i >= 0; --i) out[i] = narrow[i];
  }
  read_ += n;
  return n;
}

NpyMatrix<float> read_npy_f32(const std::string& path) {
  NpyReader r(path);
  NpyMatrix<float> m;
  m.rows = r.header().rows();
  m.cols = r.header().cols();
  if (r.header().dtype != NpyDtype::kFloat32) {
    float dummy;
    r.read(&dummy, 0);  // throws the dtype error
  }
  m.data.resize(static_cast<size_t>(m.rows * m.cols));
  r.read(m.data.data(), m.rows);
  return m;
}

NpyMatrix<int64_t> read_npy_i64(const std::string& path) {
  NpyReader r(path);
  NpyMatrix<int64_t> m;
  m.rows = r.header().rows();
  m.cols = r.header().cols();
  m.data.resize(static_cast<size_t>(m.rows * m.cols));
  if (m.rows == 0 && r.header().dtype == NpyDtype::kFloat32) {
    int64_t dummy;
    r.read(&dummy, 1);  // throws the dtype error
  }
  r.read(m.data.data(), m.rows);
  return m;
}

// ---- ids sidecar

std::string ids_path_for(const std::string& npy_path) {
  const std::string ext = ".npy";
  if (npy_path.size() > ext.size() &&
      npy_path.compare(npy_path.size() - ext.size(), ext.size(), ext) == 0)
    return npy_path.substr(0, npy_path.size() - ext.size()) + ".ids";
  return npy_path + ".ids";
}

void write_ids(const std::string& path, const std::vector<std::string>& ids) {
  AtomicFile f(path, /*binary=*/true);
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string& id = ids[i];
    if (id.empty() || id.find_first_of("\n\r\t") != std::string::npos)
      throw Error("cannot write " + path + ": id " + std::to_string(i) +
                  ": expected a non-empty id without tabs or newlines, got " + quote_found(id));
    f.stream() << id << '\n';
  }
  f.commit();
}

std::vector<std::string> read_ids(const std::string& path, int64_t expected_count) {
  const std::string text = read_file(path);
  std::vector<std::string> ids;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string id = text.substr(pos, end - pos);
    if (!id.empty() && id.back() == '\r') id.pop_back();
    if (id.empty())
      throw InputError(path, static_cast<int64_t>(ids.size()) + 1,
                       "expected an id, got an empty line");
    ids.push_back(std::move(id));
    pos = end + 1;
  }
  if (expected_count >= 0 && static_cast<int64_t>(ids.size()) != expected_count)
    throw InputError(path, 0,
                     "expected " + std::to_string(expected_count) +
                         " ids (one per row of the matrix), found " + std::to_string(ids.size()));
  return ids;
}

}  // namespace towerrec

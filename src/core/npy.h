// NumPy .npy files (format 1.0; reading also accepts 2.0), 1-D or 2-D, C order, dtypes '<f4', '<i8'
// and '<i4': the exchange format for embeddings, top-K results and benchmarks with Python peers
// (numpy.load reads what NpyWriter writes). Writing streams row chunks into an AtomicFile, so a
// million vectors never need to sit in memory at once; reading verifies magic, header, dtype and
// that the shape matches the file size, and throws FormatError ("file: byte N: ...") otherwise.
//
// Beside X.npy an optional X.ids names the rows: one id per line, UTF-8, no tabs or newlines in
// ids.
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace towerrec {

class AtomicFile;

enum class NpyDtype { kFloat32, kInt64, kInt32 };

// "<f4", "<i8", "<i4".
const char* npy_descr(NpyDtype dtype);
// 4 or 8.
int64_t npy_item_size(NpyDtype dtype);

struct NpyHeader {
  NpyDtype dtype = NpyDtype::kFloat32;
  std::vector<int64_t> shape;  // 1 or 2 entries
  uint64_t data_offset = 0;    // byte where the array data starts
  int64_t rows() const { return shape.empty() ? 0 : shape[0]; }
  int64_t cols() const { return shape.size() < 2 ? 1 : shape[1]; }
};

// A dense row-major matrix read from (or to be written to) an .npy file. A 1-D file reads as cols
// = 1.
template <class T>
struct NpyMatrix {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<T> data;  // rows * cols values
  const T* row(int64_t r) const { return data.data() + r * cols; }
};

// Writes a 2-D array of `rows` x `cols` (or 1-D of `rows` when cols < 0) row chunk by row chunk.
// Nothing is visible at `path` until commit(), which throws IoError unless exactly `rows` rows were
// appended. Appending values of the wrong type or past `rows` is a caller bug (TOWERREC_CHECK).
class NpyWriter {
 public:
  NpyWriter(std::string path, NpyDtype dtype, int64_t rows, int64_t cols);
  ~NpyWriter();
  NpyWriter(const NpyWriter&) = delete;
  NpyWriter& operator=(const NpyWriter&) = delete;

  // Appends `n` rows (n * cols values, row-major).
  void append(const float* values, int64_t n);
  void append(const int64_t* values, int64_t n);
  void append(const int32_t* values, int64_t n);
  void commit();

  int64_t rows_written() const { return written_; }
  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_ < 0 ? 1 : cols_; }

 private:
  void append_bytes(NpyDtype dtype, const void* values, int64_t n);

  std::unique_ptr<AtomicFile> file_;
  NpyDtype dtype_;
  int64_t rows_;
  int64_t cols_;
  int64_t written_ = 0;
};

// One-shot writers of a whole row-major matrix.
void write_npy(const std::string& path, const float* values, int64_t rows, int64_t cols);
void write_npy(const std::string& path, const int64_t* values, int64_t rows, int64_t cols);
void write_npy(const std::string& path, const int32_t* values, int64_t rows, int64_t cols);

// Parses and verifies the header (including that the file holds exactly the data the shape
// promises).
NpyHeader read_npy_header(const std::string& path);

// Reads rows sequentially, so `recommend` can stream a large user matrix in bounded memory.
class NpyReader {
 public:
  explicit NpyReader(std::string path);
  const NpyHeader& header() const { return header_; }
  const std::string& path() const { return path_; }
  int64_t rows_read() const { return read_; }
  // Reads up to `n` rows into `out` (n * cols values); returns the number of rows read (0 at the
  // end). float reads need a '<f4' file; int64 reads accept '<i8' and '<i4' (widened). A wrong
  // dtype throws FormatError naming the dtype found.
  int64_t read(float* out, int64_t n);
  int64_t read(int64_t* out, int64_t n);

 private:
  void read_bytes(char* out, int64_t bytes);

  std::string path_;
  NpyHeader header_;
  std::ifstream in_;
  int64_t read_ = 0;
};

// Whole-file readers: float needs '<f4'; int64 accepts '<i8' and '<i4'.
NpyMatrix<float> read_npy_f32(const std::string& path);
NpyMatrix<int64_t> read_npy_i64(const std::string& path);

// X.npy -> X.ids (any other name: name + ".ids").
std::string ids_path_for(const std::string& npy_path);

// Writes ids one per line through AtomicFile. Throws Error naming the id if one contains a newline,
// carriage return or tab, or is empty.
void write_ids(const std::string& path, const std::vector<std::string>& ids);
// Reads one id per line (a trailing newline is optional). When expected_count >= 0 a different
// count throws InputError ("file:line: expected N ids ..."). Empty lines throw InputError.
std::vector<std::string> read_ids(const std::string& path, int64_t expected_count = -1);

}  // namespace towerrec

// .npy reading (core/npy.h) and the .ids sidecar. The first byte picks the reader: 0 reads the
// whole file as float32, 1 as int64, 2 streams it as float32 in chunks of 3 rows, 3 reads it as
// ids.
#include <vector>

#include "core/error.h"
#include "core/npy.h"
#include "fuzz_target.h"

// Named, not anonymous: unity builds put several targets (each with its run()) in one translation
// unit of towerrec_tests.
namespace towerrec::fuzz::npy_fuzz {

void run(std::string_view input) {
  const uint8_t mode = input.empty() ? 0 : static_cast<uint8_t>(input[0]) % 4;
  if (!input.empty()) input.remove_prefix(1);
  const std::string path = write_scratch("m.npy", input);
  switch (mode) {
    case 0: {
      const NpyMatrix<float> m = read_npy_f32(path);
      TOWERREC_CHECK(static_cast<int64_t>(m.data.size()) == m.rows * m.cols);
      break;
    }
    case 1: {
      const NpyMatrix<int64_t> m = read_npy_i64(path);
      TOWERREC_CHECK(static_cast<int64_t>(m.data.size()) == m.rows * m.cols);
      break;
    }
    case 2: {
      NpyReader r(path);
      // A valid empty file may declare 2^50 columns; a chunk buffer for it is the caller's choice.
      if (r.header().rows() == 0) break;
      std::vector<float> buf(static_cast<size_t>(3 * r.header().cols()));
      int64_t total = 0;
      while (const int64_t n = r.read(buf.data(), 3)) total += n;
      TOWERREC_CHECK(total == r.header().rows());
      break;
    }
    default: {
      for (const std::string& id : read_ids(path)) TOWERREC_CHECK(!id.empty());
      break;
    }
  }
}

}  // namespace towerrec::fuzz::npy_fuzz

TOWERREC_FUZZ_TARGET(npy, towerrec::fuzz::npy_fuzz::run)

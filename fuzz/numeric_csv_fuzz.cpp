// Headerless numeric CSV (data/numeric_csv.h) and the one-line header files of the course labs. The
// first byte picks the reader: 0 reads with the column count from the first row, 1 with three
// named columns, 2 reads a header file.
#include <cmath>

#include "core/error.h"
#include "data/numeric_csv.h"
#include "fuzz_target.h"

// Named, not anonymous: unity builds put several targets (each with its run()) in one translation
// unit of towerrec_tests.
namespace towerrec::fuzz::numeric_csv_fuzz {

void run(std::string_view input) {
  const uint8_t mode = input.empty() ? 0 : static_cast<uint8_t>(input[0]) % 3;
  if (!input.empty()) input.remove_prefix(1);
  const std::string path = write_scratch("table.csv", input);
  if (mode == 2) {
    for (const std::string& name : read_header_names(path)) TOWERREC_CHECK(!name.empty());
    return;
  }
  const NumericTable t =
      mode == 1 ? read_numeric_csv(path, {"a", "b", "c"}) : read_numeric_csv(path);
  TOWERREC_CHECK(t.rows >= 0 && t.cols >= 0);
  TOWERREC_CHECK(static_cast<int64_t>(t.data.size()) == t.rows * t.cols);
  if (mode == 1) TOWERREC_CHECK(t.cols == 3);
  for (float v : t.data) TOWERREC_CHECK(std::isfinite(v));  // "every value a finite number"
}

}  // namespace towerrec::fuzz::numeric_csv_fuzz

TOWERREC_FUZZ_TARGET(numeric_csv, towerrec::fuzz::numeric_csv_fuzz::run)

// Headerless CSV files of numbers only (the course labs' matrices and training vectors): every row
// the same number of columns, every value a finite number. Row r is on line r + 1.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace towerrec {

struct NumericTable {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> data;  // rows * cols, row-major
  float at(int64_t r, int64_t c) const { return data[static_cast<size_t>(r * cols + c)]; }
};

// Reads `path`. `names` (optional) fixes the column count and names columns in messages ("field
// 'year'"); without it the first row sets the count and columns are called "column N" (1-based).
// Throws InputError on an empty file, a wrong field count or a value that is not a finite number.
NumericTable read_numeric_csv(const std::string& path, const std::vector<std::string>& names = {});

// Reads a one-line header file of comma-separated column names (the lab's *_header.txt).
std::vector<std::string> read_header_names(const std::string& path);

}  // namespace towerrec

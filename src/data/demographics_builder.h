// Builds UserMeta columns from a users file read row by row. A column is numeric or categorical:
// forced by the format (ml-100k age is numeric, gender categorical), or decided from the data
// (users.csv): numeric when every non-empty value parses as a finite number. An empty value is
// missing (NaN, or code -1). Categories are numbered in order of first appearance.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "data/dataset.h"

namespace towerrec {

class DelimitedReader;

class DemographicsBuilder {
 public:
  enum class Kind { kAuto, kNumeric, kCategorical };
  // How the file's text is encoded: UTF-8 values are checked (an invalid byte is an error at its
  // line), ISO-8859-1 values (the older MovieLens releases) are converted to UTF-8.
  enum class Text { kUtf8, kLatin1 };
  DemographicsBuilder(std::vector<std::string> names, std::vector<Kind> kinds,
                      Text text = Text::kUtf8);

  // Records the values of user `user` (dense index) from the current record of `r`: column c is
  // field cols[c]. Throws through `r` when the user was already given (naming the earlier line) or
  // a forced-numeric value is not a number.
  void add(int32_t user, const DelimitedReader& r, const std::vector<size_t>& cols);
  // Columns sized `num_users`; users never added are missing everywhere.
  UserMeta build(int32_t num_users) const;

 private:
  struct Row {
    int32_t user;
    int64_t line;
    std::vector<std::string> values;
  };
  std::vector<std::string> names_;
  std::vector<Kind> kinds_;
  Text text_;
  std::vector<Row> rows_;
  std::vector<int64_t> line_of_user_;  // 0 = not seen yet
};

}  // namespace towerrec

#include "data/numeric_csv.h"

#include <cmath>

#include "core/error.h"
#include "data/delimited_reader.h"
#include "data/field_parser.h"
#include "data/mapped_file.h"

namespace towerrec {

NumericTable read_numeric_csv(const std::string& path, const std::vector<std::string>& names) {
  MappedFile file(path);
  if (file.text().empty()) throw InputError(path, 0, "empty file; expected rows of numbers");
  DelimitedReader r(path, file.text(), ",", false);
  NumericTable t;
  t.cols = static_cast<int64_t>(names.size());
  std::string layout;
  if (!names.empty()) {
    for (size_t i = 0; i < names.size(); ++i) layout += (i ? "," : "") + names[i];
  }
  t.data.reserve(DelimitedReader::count_lines(file.text()) * (names.empty() ? 1 : names.size()));
  while (r.next()) {
    if (t.cols == 0) t.cols = static_cast<int64_t>(r.size());
    if (r.size() != static_cast<size_t>(t.cols))
      r.expect_fields(static_cast<size_t>(t.cols), layout);
    for (size_t c = 0; c < r.size(); ++c) {
      double v;
      const bool number = parse_double(r[c], &v);
      // Values are stored as float: "1e39" is a finite double but an infinite float.
      if (!number || !std::isfinite(static_cast<float>(v))) {
        const std::string field = names.empty() ? "column " + std::to_string(c + 1) : names[c];
        r.field_error(c, field.c_str(),
                      number ? "a number within float range (|x| < 3.4e38)" : "a finite number");
      }
      t.data.push_back(static_cast<float>(v));
    }
    ++t.rows;
  }
  return t;
}

std::vector<std::string> read_header_names(const std::string& path) {
  MappedFile file(path);
  if (file.text().empty())
    throw InputError(path, 0, "empty file; expected one line of column names");
  DelimitedReader r(path, file.text(), ",", true);
  r.next();
  std::vector<std::string> names;
  for (size_t c = 0; c < r.size(); ++c) {
    if (r[c].empty()) r.fail("empty column name (column " + std::to_string(c + 1) + ")");
    names.emplace_back(r.utf8(c, "column name"));
  }
  if (r.next()) r.fail("expected one line of column names, found a second line");
  return names;
}

}  // namespace towerrec

#include "data/numeric_csv.h"

#include "core/error.h"
#include "data/delimited_reader.h"
#include "data/field_parser.h"
#include "data/mapped_file.h"

namespace towerrec {
namespace {

// Values are stored as float; beyond its range a double would turn into infinity.
const char* const kFloatRange = "a finite number within float range (|x| <= 3.4e38)";

}  // namespace

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
      float v;
      if (!parse_float(r[c], &v)) {
        const std::string field = names.empty() ? "column " + std::to_string(c + 1) : names[c];
        double d;
        r.field_error(c, field.c_str(),
                      parse_double(r[c], &d) ? kFloatRange : std::string("a finite number"));
      }
      t.data.push_back(v);
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

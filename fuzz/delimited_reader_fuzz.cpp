// The record/field tokenizer (data/delimited_reader.h) and the number parsers behind its accessors
// (data/field_parser.h), in memory. The first byte picks the separator and whether quotes are on;
// every record is walked and every field read as an integer and as a number.
#include <cmath>
#include <string>

#include "core/error.h"
#include "data/delimited_reader.h"
#include "data/field_parser.h"
#include "fuzz_target.h"

// Named, not anonymous: unity builds put several targets (each with its run()) in one translation
// unit of towerrec_tests.
namespace towerrec::fuzz::delimited_reader_fuzz {

void run(std::string_view input) {
  static const char* const kSeparators[] = {",", "\t", "|", "::"};
  const uint8_t first = input.empty() ? 0 : static_cast<uint8_t>(input[0]);
  if (!input.empty()) input.remove_prefix(1);
  // A copy of exactly the input's bytes, so ASan sees any read past the end.
  const std::string text(input);
  DelimitedReader r("fuzz.csv", text, kSeparators[first & 3], (first & 4) != 0);
  const size_t lines = DelimitedReader::count_lines(text);
  size_t records = 0;
  int64_t last_line = 0;
  for (;;) {
    try {
      if (!r.next()) break;
    } catch (const Error&) {
      break;  // an unterminated quote or text after a closing quote ends the file
    }
    ++records;
    TOWERREC_CHECK(r.line() > last_line);
    last_line = r.line();
    TOWERREC_CHECK(r.size() >= 1);
    TOWERREC_CHECK(r.raw().data() >= text.data() &&
                   r.raw().data() + r.raw().size() <= text.data() + text.size());
    for (size_t c = 0; c < r.size(); ++c) {
      int64_t i;
      double d;
      if (parse_int64(r[c], &i)) {
        TOWERREC_CHECK(parse_double(r[c], &d));
        // At most one sign: "+-5" is not a number.
        TOWERREC_CHECK(r[c].find("+-") == std::string_view::npos);
      }
      if (parse_double(r[c], &d)) TOWERREC_CHECK(std::isfinite(d));
      try {
        r.integer(c, "field", -1000, 1000);
      } catch (const Error&) {
      }
      try {
        r.number_in(c, "field", 0.5, 5);
      } catch (const Error&) {
      }
    }
    try {
      r.expect_fields(3, "a,b,c");
    } catch (const Error&) {
    }
    try {
      r.expect_header({"a", "b", "c"});
    } catch (const Error&) {
    }
  }
  TOWERREC_CHECK(records <= lines);
  TOWERREC_CHECK(static_cast<size_t>(last_line) <= lines);
}

}  // namespace towerrec::fuzz::delimited_reader_fuzz

TOWERREC_FUZZ_TARGET(delimited_reader, towerrec::fuzz::delimited_reader_fuzz::run)

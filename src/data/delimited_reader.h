// A fast record/field tokenizer over delimited text already in memory (see MappedFile), plus the
// field accessors that turn bad values into InputError "file:line: field 'x': expected ..., found
// "..."".
//
// Accepted: a UTF-8 byte-order mark at the start, LF or CRLF line ends, a missing final newline,
// trailing blank lines at the very end of the file. With quotes on (CSV), a field may be wrapped in
// double quotes; inside it separators and newlines are literal and "" is one quote. Rejected (with
// the line): a quote left open at end of file, text after a closing quote, blank lines between
// records (they come back as a record of one empty field, which every field-count check rejects).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace towerrec {

class DelimitedReader {
 public:
  // `path` is only used in messages; `text` must outlive the reader. `separator` is one or more
  // bytes
  // ("," "\t" "|" "::"); `quotes` turns on CSV quoting.
  DelimitedReader(std::string path, std::string_view text, std::string separator, bool quotes);

  // Advances to the next record; false at the end of the text.
  bool next();

  size_t size() const { return fields_.size(); }
  std::string_view operator[](size_t i) const { return fields_[i]; }
  // 1-based line where the current record starts.
  int64_t line() const { return line_; }
  const std::string& path() const { return path_; }
  // Byte offset just past the current record (for releasing parsed pages and progress).
  const char* position() const { return pos_; }
  // The current record as it appears in the file, without its line end.
  std::string_view raw() const { return raw_; }
  // True when the current record is the last one and has no newline after it.
  bool at_unterminated_end() const { return unterminated_; }

  // Throws unless the record has exactly `n` fields: "expected 4 fields (userId,movieId,rating,
  // timestamp), found 3"; on an unterminated last line it adds that the file looks truncated.
  void expect_fields(size_t n, const std::string& layout) const;
  // Throws unless the record's fields equal `names`: expected the header "a,b", found "...".
  void expect_header(const std::vector<std::string>& names) const;

  // Field accessors; the message names `field` and the expected range.
  int64_t integer(size_t col, const char* field, int64_t lo, int64_t hi) const;
  double number(size_t col, const char* field) const;
  double number_in(size_t col, const char* field, double lo, double hi) const;
  // The field as text, which must be valid UTF-8: "field 'title': expected UTF-8 text, found the
  // invalid byte 0xE9 at byte 3 of "Caf\xe9"".
  std::string_view utf8(size_t col, const char* field) const;

  // Throws InputError(path, line, message).
  [[noreturn]] void fail(const std::string& message) const;
  // Throws "field 'name': expected <expected>, found "<value of col>"".
  [[noreturn]] void field_error(size_t col, const char* field, const std::string& expected) const;

  // Number of line ends in `text` plus one for an unterminated last line (an upper bound on
  // records, used to reserve arrays exactly and as the progress total).
  static size_t count_lines(std::string_view text);

 private:
  void parse_quoted(const char* line_end);
  bool rest_is_blank(const char* p) const;

  std::string path_;
  const char* pos_;
  const char* end_;
  std::string sep_;
  bool quotes_;
  int64_t line_ = 0;
  int64_t next_line_ = 1;
  bool unterminated_ = false;
  std::string_view raw_;
  std::vector<std::string_view> fields_;
  std::string scratch_;  // unescaped quoted fields of the current record
};

}  // namespace towerrec

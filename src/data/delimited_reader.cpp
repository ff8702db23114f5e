#include "data/delimited_reader.h"

#include <cstdio>
#include <cstring>

#include "core/error.h"
#include "core/utf8.h"
#include "data/field_parser.h"

namespace towerrec {

DelimitedReader::DelimitedReader(std::string path, std::string_view text, std::string separator,
                                 bool quotes)
    : path_(std::move(path)),
      pos_(text.data()),
      end_(text.data() + text.size()),
      sep_(std::move(separator)),
      quotes_(quotes) {
  TOWERREC_CHECK(!sep_.empty());
  if (text.size() >= 3 && std::memcmp(pos_, "\xEF\xBB\xBF", 3) == 0) pos_ += 3;
  fields_.reserve(32);
}

bool DelimitedReader::rest_is_blank(const char* p) const {
  for (; p < end_; ++p) {
    if (*p != '\n' && *p != '\r' && *p != ' ' && *p != '\t') return false;
  }
  return true;
}

bool DelimitedReader::next() {
  if (pos_ >= end_) return false;
  line_ = next_line_;
  fields_.clear();
  const char* eol =
      static_cast<const char*>(std::memchr(pos_, '\n', static_cast<size_t>(end_ - pos_)));
  const char* line_end = eol ? eol : end_;
  if (quotes_ && std::memchr(pos_, '"', static_cast<size_t>(line_end - pos_))) {
    parse_quoted(line_end);
    return true;
  }
  const char* content_end = line_end;
  if (content_end > pos_ && content_end[-1] == '\r') --content_end;
  if (content_end == pos_ && rest_is_blank(pos_)) {
    pos_ = end_;
    return false;
  }
  raw_ = std::string_view(pos_, static_cast<size_t>(content_end - pos_));
  unterminated_ = eol == nullptr;
  const char* p = pos_;
  if (sep_.size() == 1) {
    const char c = sep_[0];
    for (;;) {
      const char* q =
          static_cast<const char*>(std::memchr(p, c, static_cast<size_t>(content_end - p)));
      if (!q) {
        fields_.emplace_back(p, static_cast<size_t>(content_end - p));
        break;
      }
      fields_.emplace_back(p, static_cast<size_t>(q - p));
      p = q + 1;
    }
  } else {
    const std::string_view rest(p, static_cast<size_t>(content_end - p));
    size_t start = 0;
    for (;;) {
      const size_t q = rest.find(sep_, start);
      if (q == std::string_view::npos) {
        fields_.push_back(rest.substr(start));
        break;
      }
      fields_.push_back(rest.substr(start, q - start));
      start = q + sep_.size();
    }
  }
  pos_ = eol ? eol + 1 : end_;
  ++next_line_;
  return true;
}

// The slow path: a record with at least one quote on its first line. Fields are collected as spans
// into the file or into scratch_ (for unescaped quoted fields) and turned into views at the end,
// since scratch_ may reallocate while the record is read.
void DelimitedReader::parse_quoted(const char* /*line_end*/) {
  struct Span {
    bool scratch;
    size_t off, len;
  };
  std::vector<Span> spans;
  scratch_.clear();
  const char* start = pos_;
  const char* p = pos_;
  int64_t lines_inside = 0;
  for (;;) {
    if (p < end_ && *p == '"') {
      ++p;
      const size_t off = scratch_.size();
      for (;;) {
        const char* q =
            static_cast<const char*>(std::memchr(p, '"', static_cast<size_t>(end_ - p)));
        if (!q) {
          line_ += lines_inside;  // the line where this quote opened
          fail("unterminated quoted field: a '\"' opened on this line is never closed");
        }
        for (const char* r = p; r < q; ++r) lines_inside += (*r == '\n');
        scratch_.append(p, static_cast<size_t>(q - p));
        if (q + 1 < end_ && q[1] == '"') {
          scratch_ += '"';
          p = q + 2;
          continue;
        }
        p = q + 1;
        break;
      }
      spans.push_back({true, off, scratch_.size() - off});
      // After a closing quote: a separator, a line end, or the end of the file.
      if (p >= end_) break;
      if (*p == '\n' || (*p == '\r' && p + 1 < end_ && p[1] == '\n') ||
          (*p == '\r' && p + 1 == end_)) {
        break;
      }
      if (static_cast<size_t>(end_ - p) >= sep_.size() &&
          std::memcmp(p, sep_.data(), sep_.size()) == 0) {
        p += sep_.size();
        continue;
      }
      line_ += lines_inside;  // report the physical line where the stray text is
      fail("expected a separator or a line end after a closing quote, found " +
           quote_found(std::string(p, std::min<size_t>(static_cast<size_t>(end_ - p), 20))));
    }
    // Unquoted field: runs to the next separator or line end.
    const char* f = p;
    while (p < end_ && *p != '\n' &&
           !(static_cast<size_t>(end_ - p) >= sep_.size() &&
             std::memcmp(p, sep_.data(), sep_.size()) == 0)) {
      ++p;
    }
    const char* fend = p;
    if ((p >= end_ || *p == '\n') && fend > f && fend[-1] == '\r') --fend;
    spans.push_back({false, static_cast<size_t>(f - start), static_cast<size_t>(fend - f)});
    if (p >= end_ || *p == '\n') break;
    p += sep_.size();
  }
  // p is at '\n', "\r\n", a lone trailing '\r', or the end.
  const char* content_end = p;
  if (p < end_ && *p == '\r') ++p;
  unterminated_ = p >= end_;
  if (p < end_) ++p;  // the '\n'
  raw_ = std::string_view(start, static_cast<size_t>(content_end - start));
  for (const Span& s : spans) {
    fields_.emplace_back(s.scratch ? scratch_.data() + s.off : start + s.off, s.len);
  }
  pos_ = p;
  next_line_ += 1 + lines_inside;
}

void DelimitedReader::expect_fields(size_t n, const std::string& layout) const {
  if (fields_.size() == n) return;
  std::string msg = "expected " + std::to_string(n) + (n == 1 ? " field" : " fields");
  if (!layout.empty()) msg += " (" + layout + ")";
  if (fields_.size() == 1 && fields_[0].empty()) {
    msg += ", found an empty line";
  } else {
    msg += ", found " + std::to_string(fields_.size());
  }
  if (unterminated_ && fields_.size() < n) {
    msg += "; the last line has no newline: is the file truncated?";
  }
  fail(msg);
}

void DelimitedReader::expect_header(const std::vector<std::string>& names) const {
  bool ok = fields_.size() == names.size();
  for (size_t i = 0; ok && i < names.size(); ++i) ok = fields_[i] == names[i];
  if (ok) return;
  std::string want;
  for (size_t i = 0; i < names.size(); ++i) want += (i ? std::string(sep_) : "") + names[i];
  fail("expected the header \"" + want + "\", found " + quote_found(std::string(raw_)));
}

void DelimitedReader::fail(const std::string& message) const {
  throw InputError(path_, line_, message);
}

void DelimitedReader::field_error(size_t col, const char* field,
                                  const std::string& expected) const {
  fail(std::string("field '") + field + "': expected " + expected + ", found " +
       quote_found(std::string(fields_[col])));
}

int64_t DelimitedReader::integer(size_t col, const char* field, int64_t lo, int64_t hi) const {
  int64_t v;
  if (!parse_int64(fields_[col], &v) || v < lo || v > hi) {
    field_error(col, field,
                "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return v;
}

double DelimitedReader::number(size_t col, const char* field) const {
  double v;
  if (!parse_double(fields_[col], &v)) field_error(col, field, "a finite number");
  return v;
}

double DelimitedReader::number_in(size_t col, const char* field, double lo, double hi) const {
  double v;
  if (!parse_double(fields_[col], &v) || v < lo || v > hi) {
    field_error(col, field, "a number in [" + format_number(lo) + ", " + format_number(hi) + "]");
  }
  return v;
}

std::string_view DelimitedReader::utf8(size_t col, const char* field) const {
  const std::string_view v = fields_[col];
  const size_t bad = find_invalid_utf8(v);
  if (bad != std::string_view::npos) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(v[bad]));
    fail(std::string("field '") + field + "': expected UTF-8 text, found the invalid byte " + byte +
         " at byte " + std::to_string(bad + 1) + " of " + quote_found(std::string(v)));
  }
  return v;
}

size_t DelimitedReader::count_lines(std::string_view text) {
  size_t n = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    const char* q = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    if (!q) {
      ++n;
      break;
    }
    ++n;
    p = q + 1;
  }
  return n;
}

}  // namespace towerrec

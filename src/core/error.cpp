#include "core/error.h"

#include <cstdio>
#include <cstdlib>

#include "core/utf8.h"

namespace towerrec {

InputError::InputError(const std::string& file, int64_t line, const std::string& message)
    : Error(file + ":" + std::to_string(line) + ": " + message),
      file_(file),
      line_(line),
      message_(message) {}

InputError::InputError(const std::string& where, const std::string& message)
    : Error(where + ": " + message), file_(where), line_(0), message_(message) {}

FormatError::FormatError(const std::string& file, uint64_t byte_offset, const std::string& message)
    : Error(file + ": byte " + std::to_string(byte_offset) + ": " + message) {}

std::string quote_found(const std::string& found) {
  constexpr size_t kMax = 40;
  std::string out = "\"";
  for (size_t i = 0; i < found.size() && i < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(found[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else if (c >= 0x80) {
      // Well-formed UTF-8 is kept whole; any other byte is escaped, so a message about a latin-1
      // or binary file is itself valid UTF-8.
      const size_t len = utf8_sequence_length(std::string_view(found).substr(i));
      if (len == 0) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
      } else {
        out.append(found, i, len);
        i += len - 1;
      }
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  if (found.size() > kMax) out += "... (" + std::to_string(found.size()) + " bytes)";
  return out;
}

void check_failed(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "towerrec: internal check failed: %s at %s:%d\n", expr, file, line);
  std::abort();
}

}  // namespace towerrec

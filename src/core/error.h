// Error types. Caller mistakes (bad input files, bad configs, bad flags) throw an Error subtype
// whose message names where (file:line, or file:byte for binary files), the field, what was
// expected and what was found. Broken invariants are bugs: TOWERREC_CHECK aborts with the
// expression.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace towerrec {

// Base of every error the library throws on purpose. The CLI maps it to exit code 1.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// Wrong command-line usage. The CLI maps it to exit code 2.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& what) : Error(what) {}
};

// Bad content in an input file. what() is "file:line: message" (line is 1-based; 0 = whole file).
class InputError : public Error {
 public:
  InputError(const std::string& file, int64_t line, const std::string& message);
  // A place without lines (a command-line override): what() is "where: message", line() 0.
  InputError(const std::string& where, const std::string& message);
  const std::string& file() const { return file_; }
  int64_t line() const { return line_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  int64_t line_;
  std::string message_;
};

// A bad value in a YAML config or a --set override: "file:line: key: expected ..., got ...", or
// "--set key=value: key: expected ..., got ..." for an override. The CLI maps it to exit code 2,
// like a bad flag.
class ConfigError : public InputError {
 public:
  using InputError::InputError;
};

// Bad content in a binary file: "file: byte N: message".
class FormatError : public Error {
 public:
  FormatError(const std::string& file, uint64_t byte_offset, const std::string& message);
};

// A file that cannot be opened, read or written.
class IoError : public Error {
 public:
  explicit IoError(const std::string& what) : Error(what) {}
};

// Another process holds the lock of an output this process means to write (core/output_lock.h);
// what() names the output and the holder. The CLI maps it to exit code 1, like any Error.
class LockedError : public Error {
 public:
  explicit LockedError(const std::string& what) : Error(what) {}
};

// Shortens a found value for messages ("abc", or the first 40 bytes then "...") and escapes
// control characters, so a 10 MB line never lands in a terminal.
std::string quote_found(const std::string& found);

[[noreturn]] void check_failed(const char* expr, const char* file, int line);

}  // namespace towerrec

#define TOWERREC_CHECK(cond) \
  ((cond) ? (void)0 : ::towerrec::check_failed(#cond, __FILE__, __LINE__))

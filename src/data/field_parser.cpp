#include "data/field_parser.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include <fast_float/fast_float.h>

namespace towerrec {
namespace {

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool parse_int64(std::string_view s, int64_t* out) {
  s = trim_spaces(s);
  if (s.empty()) return false;
  const char* first = s.data();
  if (*first == '+') ++first;  // from_chars rejects a leading '+', people write it
  // ...but after it from_chars would take a sign of its own ("+-5").
  if (first == s.data() + s.size() || (first != s.data() && *first == '-')) return false;
  auto [ptr, ec] = std::from_chars(first, s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool parse_double(std::string_view s, double* out) {
  s = trim_spaces(s);
  if (s.empty()) return false;
  const char* first = s.data();
  if (*first == '+') ++first;
  if (first == s.data() + s.size() || (first != s.data() && *first == '-')) return false;
  auto [ptr, ec] = fast_float::from_chars(first, s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size() && std::isfinite(*out);
}

bool parse_float(std::string_view s, float* out) {
  double v;
  if (!parse_double(s, &v) || std::fabs(v) > std::numeric_limits<float>::max()) return false;
  *out = static_cast<float>(v);
  return true;
}

std::string format_number(double v) {
  char buf[32];
  // %g switches to exponent notation at 1e6; ids up to int32 max read better in full.
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%g", v);
  }
  return buf;
}

}  // namespace towerrec

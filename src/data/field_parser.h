// Text -> number for data files: std::from_chars for integers, fast_float for reals (locale-free,
// no atof/stod). A field must be the number and nothing else (surrounding spaces are allowed); NaN
// and infinities are rejected because no rating, id or feature may be one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace towerrec {

// True and *out set when `s` is a base-10 integer that fits int64.
bool parse_int64(std::string_view s, int64_t* out);
// True and *out set when `s` is a finite real ("4", "4.5", "1e3", "-0.25").
bool parse_double(std::string_view s, double* out);
// True and *out set when `s` is a finite real that is also a finite float (|x| <= 3.4e38), for
// values stored as float: a double cast to float beyond that silently becomes infinity.
bool parse_float(std::string_view s, float* out);
// Formats like printf("%g") for messages: 5 -> "5", 0.5 -> "0.5", 2147483647 -> "2147483647".
std::string format_number(double v);

}  // namespace towerrec

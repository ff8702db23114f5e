// UTF-8 well-formedness. Text from UTF-8 input files (titles, genres, categorical demographics,
// column names) is checked at read time: an invalid byte would otherwise surface much later, as the
// JSON writer's exception halfway through writing a run directory, or as garbage in a terminal.
#pragma once

#include <cstddef>
#include <string_view>

namespace towerrec {

// Length of the well-formed UTF-8 sequence that starts at s[0] (1 for ASCII), or 0 when s[0] does
// not start one (a stray continuation byte, an overlong form, a surrogate, a code point above
// U+10FFFF, or a sequence cut short by the end of `s`).
size_t utf8_sequence_length(std::string_view s);

// The offset of the first byte of `s` that is not part of well-formed UTF-8, or
// std::string_view::npos when `s` is valid.
size_t find_invalid_utf8(std::string_view s);

}  // namespace towerrec

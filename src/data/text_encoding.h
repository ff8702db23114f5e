// Character-set helpers for the older MovieLens files (ml-100k u.item and ml-1m movies.dat are
// ISO-8859-1); everything inside a Dataset is UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace towerrec {

// Each byte is one ISO-8859-1 code point; returns its UTF-8 encoding.
std::string latin1_to_utf8(std::string_view s);

}  // namespace towerrec

// One free-text CSV field (titles in recommend/similar output), quoted the way RFC 4180 and
// Python's csv module read it: wrapped in double quotes when it holds a comma, a double quote, CR
// or LF (inner quotes doubled), written as is otherwise.
#pragma once

#include <string>
#include <string_view>

namespace towerrec {

void append_csv_field(std::string& out, std::string_view text);

}  // namespace towerrec

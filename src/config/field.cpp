#include "config/field.h"

#include <sstream>

namespace towerrec {

std::string Check::describe(const char* kind) const {
  std::ostringstream s;
  if (!choices.empty()) {
    s << "one of: ";
    for (size_t i = 0; i < choices.size(); ++i) s << (i ? ", " : "") << choices[i];
    return s.str();
  }
  s << kind;
  if (min && max) {
    s << " in [" << *min << ", " << *max << "]";
  } else if (min) {
    s << (min_exclusive ? " > " : " >= ") << *min;
  } else if (max) {
    s << " <= " << *max;
  }
  return s.str();
}

}  // namespace towerrec

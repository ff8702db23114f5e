// Field checks shared by every options struct. An options struct lists its fields once, in
//   template <class V> void visit(V& v) { v.field("lr", lr, "Adam learning rate", Check::gt(0));
//   ... }
// and the same list drives the YAML loader (keys, types, ranges, line numbers), the writer of the
// resolved config and the documentation (`towerrec config --print`).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace towerrec {

struct Check {
  std::optional<double> min, max;
  bool min_exclusive = false;
  std::vector<std::string> choices;  // for strings: the allowed values (empty = any)

  static Check any() { return {}; }
  static Check gt(double v) {
    Check c;
    c.min = v;
    c.min_exclusive = true;
    return c;
  }
  static Check ge(double v) {
    Check c;
    c.min = v;
    return c;
  }
  static Check range(double lo, double hi) {
    Check c;
    c.min = lo;
    c.max = hi;
    return c;
  }
  static Check one_of(std::vector<std::string> v) {
    Check c;
    c.choices = std::move(v);
    return c;
  }
  // "a number > 0", "a number in [0, 1]", "one of: a, b"
  std::string describe(const char* kind) const;
};

}  // namespace towerrec

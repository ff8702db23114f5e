// The dataset half of the hostile-input corpus: a row is a set of files written over a valid base
// layout, read with read_dataset(); either the exact "file:line: ..." error or, for inputs accepted
// by policy (docs/ingest.md), the exact values loaded.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "config/options.h"
#include "data/dataset.h"
#include "data/dataset_reader.h"
#include "hostile_case.h"

namespace towerrec::test {

using Files = std::vector<std::pair<std::string, std::string>>;

struct DataCase {
  std::string name;
  Files files;                                     // written over the base layout
  std::string expected;                            // "file:line: message" prefix; empty = accepted
  std::function<void(const Dataset&)> check = {};  // what an accepted case loads
  DuplicatePolicy duplicates = DuplicatePolicy::kLast;  // data.duplicates
};

// "userId,movieId,rating,timestamp"-style rows of what was loaded: ids, value, timestamp, in
// order, so an accepted case asserts exact values.
inline std::vector<std::string> loaded_rows(const Dataset& d) {
  std::vector<std::string> out;
  for (size_t r = 0; r < d.ratings.size(); ++r) {
    char value[32];
    std::snprintf(value, sizeof value, "%g", d.ratings.value[r]);
    out.push_back(std::to_string(d.users.id(d.ratings.user[r])) + "," +
                  std::to_string(d.items.id(d.ratings.item[r])) + "," + value + "," +
                  std::to_string(d.ratings.timestamp[r]));
  }
  return out;
}

inline void run_data_case(const Files& base, const DataCase& c) {
  TempDir dir;
  write_case_files(dir, base);
  write_case_files(dir, c.files);
  DataOptions opts;
  opts.duplicates = c.duplicates;
  if (c.expected.empty()) {
    const Dataset d = read_dataset(dir.path(), opts);
    REQUIRE(c.check);
    c.check(d);
    return;
  }
  check_message(error_of([&] { read_dataset(dir.path(), opts); }), dir.path(), c.expected);
}

}  // namespace towerrec::test

// The hostile-input corpus (issue 8, docs/reliability.md): tables of {name, files, expected
// message} registered as one Catch2 TEST_CASE (so one CTest test) per row, plus the helpers the
// tables share: writing a case's files over a valid base layout, the expected-message check, and a
// snapshot of an output directory to prove that a failing command left it exactly as it was.
#pragma once

#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "test_util.h"

namespace towerrec::test {

// Contents that make a file a directory instead (the "directory where a file was expected" case),
// or remove it from the base layout.
inline const std::string kMakeDir = "<make a directory here>";
inline const std::string kRemove = "<remove this file>";

// A 10 MB run of `c` (for the 10 MB single line: the reader must neither hang nor echo it; messages
// cut found values at 40 bytes). The tables hold a short token that write_case_files expands, so
// registering the tables at start-up costs nothing.
inline const std::string kTenMbToken = "\x02TEN_MB:";
inline std::string ten_megabytes(char c = '7') { return kTenMbToken + c + '\x02'; }

inline std::string expand_ten_megabytes(std::string contents) {
  for (size_t p; (p = contents.find(kTenMbToken)) != std::string::npos;) {
    const char c = contents[p + kTenMbToken.size()];
    contents.replace(p, kTenMbToken.size() + 2, std::string(size_t{10} << 20, c));
  }
  return contents;
}

// Writes `files` (name -> contents, kMakeDir, kRemove; ten_megabytes() tokens expanded) into
// `dir`, over whatever is there.
inline void write_case_files(const TempDir& dir,
                             const std::vector<std::pair<std::string, std::string>>& files) {
  namespace fs = std::filesystem;
  for (const auto& [name, contents] : files) {
    const std::string path = dir.file(name);
    fs::remove_all(path);
    if (contents == kRemove) continue;
    if (contents == kMakeDir) {
      fs::create_directories(path);
      continue;
    }
    dir.write(name, expand_ten_megabytes(contents));
  }
}

// The message of the towerrec::Error (or other exception) `fn` throws; fails the test when it
// throws nothing.
inline std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  FAIL("expected an error, but the input was accepted");
  return "";
}

// Checks that `message` starts with `dir`/`expected` (the exact "file:line: ..." or
// "file: byte N: ..." prefix), and that it stays short (a 10 MB line is never echoed). An
// `expected` containing "{dir}" is the whole prefix, with {dir} replaced.
inline void check_message(const std::string& message, const std::string& dir,
                          const std::string& expected) {
  std::string want = dir + "/" + expected;
  if (expected.find("{dir}") != std::string::npos) {
    want = expected;
    for (size_t p; (p = want.find("{dir}")) != std::string::npos;) want.replace(p, 5, dir);
  }
  INFO("message:  " << message);
  INFO("expected: " << want << "...");
  CHECK(message.compare(0, want.size(), want) == 0);
  CHECK(message.size() < 600);
}

// path (relative to root) -> contents ("<dir>" for a directory), recursively. Equal snapshots
// before and after a failing command mean it created, changed and removed nothing there (no
// temporary files left behind either).
inline std::map<std::string, std::string> snapshot(const std::string& root) {
  namespace fs = std::filesystem;
  std::map<std::string, std::string> out;
  std::error_code ec;
  if (!fs::exists(root, ec)) return out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    const std::string rel = fs::relative(e.path(), root).string();
    out[rel] = e.is_directory() ? std::string("<dir>") : slurp(e.path().string());
  }
  return out;
}

// Registers one TEST_CASE per row of a table: "<prefix>: <row name>" with `tags`. Call from a
// namespace-scope initializer (see the hostile_*_test.cpp files), so Catch2 and
// catch_discover_tests list every row as its own test.
template <class Row>
bool register_rows(const char* prefix, const char* tags, std::vector<Row> rows,
                   std::function<void(const Row&)> run) {
  struct Invoker : Catch::ITestInvoker {
    Row row;
    std::function<void(const Row&)> run;
    Invoker(Row r, std::function<void(const Row&)> f) : row(std::move(r)), run(std::move(f)) {}
    void invoke() const override { run(row); }
  };
  // Catch2 keeps StringRefs to the names and tags: keep them alive for the whole process.
  static std::deque<std::string> names;
  for (Row& row : rows) {
    names.push_back(std::string(prefix) + ": " + row.name);
    const std::string& name = names.back();
    names.push_back(tags);
    const std::string& tag = names.back();
    Catch::AutoReg reg(new Invoker(row, run), Catch::SourceLineInfo(__FILE__, __LINE__),
                       Catch::StringRef(""), Catch::NameAndTags{name, tag});
  }
  return true;
}

// The same table as ONE TEST_CASE `name` with a section per row ("<row name>"): for the torch test
// binary, whose start-up (~1.5 s, loading LibTorch) would dominate one CTest test per row.
template <class Row>
bool register_sections(const char* name, const char* tags, std::vector<Row> rows,
                       std::function<void(const Row&)> run) {
  struct Invoker : Catch::ITestInvoker {
    std::vector<Row> rows;
    std::function<void(const Row&)> run;
    Invoker(std::vector<Row> r, std::function<void(const Row&)> f)
        : rows(std::move(r)), run(std::move(f)) {}
    void invoke() const override {
      for (const Row& row : rows) {
        DYNAMIC_SECTION(row.name) { run(row); }
      }
    }
  };
  Catch::AutoReg reg(new Invoker(std::move(rows), std::move(run)),
                     Catch::SourceLineInfo(__FILE__, __LINE__), Catch::StringRef(""),
                     Catch::NameAndTags{name, tags});
  return true;
}

}  // namespace towerrec::test

// Replays the fuzz corpora of fuzz/ through the same target functions the libFuzzer binaries run,
// under the normal build: every seed must read without error, and every input a fuzzer once crashed
// on (fuzz/crashers/<target>/) must now be rejected with a towerrec::Error, not a crash, an abort
// or another exception. A crasher may come with <name>.expected, the exact message (the scratch
// directory written as "<dir>").
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "../../fuzz/fuzz_target.h"
#include "core/error.h"
#include "test_util.h"

using namespace towerrec;
namespace fs = std::filesystem;

namespace {

// The .expected of a crasher that is valid input once the bug is fixed (the reader must accept it).
const std::string kAccepted = "(accepted)";
const std::string kFuzzDir = std::string(TOWERREC_SOURCE_DIR) + "/fuzz";

std::vector<fs::path> sorted_entries(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string without_scratch_dir(std::string s) {
  const std::string& dir = fuzz::scratch_dir();
  for (size_t p; (p = s.find(dir)) != std::string::npos;) s.replace(p, dir.size(), "<dir>");
  return s;
}

std::string trim_newline(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

TEST_CASE("every fuzz target has seeds, and every seed reads without error", "[fuzz]") {
  const auto& targets = fuzz::registry();
  REQUIRE(targets.size() == 9);
  for (const auto& [name, fn] : targets) {
    const auto seeds = sorted_entries(kFuzzDir + "/seeds/" + name);
    INFO("target " << name);
    CHECK(!seeds.empty());
    for (const fs::path& seed : seeds) {
      INFO("seed " << seed.string());
      const std::string input = test::slurp(seed.string());
      CHECK_NOTHROW(fn(input));
    }
  }
}

TEST_CASE("every fuzz crasher is rejected with towerrec::Error", "[fuzz]") {
  // TOWERREC_WRITE_EXPECTED=1 writes the .expected file of a new crasher from what it throws now.
  const bool write_expected = std::getenv("TOWERREC_WRITE_EXPECTED") != nullptr;
  int replayed = 0;
  for (const fs::path& dir : sorted_entries(kFuzzDir + "/crashers")) {
    const std::string name = dir.filename().string();
    INFO("target " << name);
    REQUIRE(fuzz::registry().count(name) == 1);
    const fuzz::TargetFn fn = fuzz::registry().at(name);
    for (const fs::path& file : sorted_entries(dir)) {
      if (file.extension() == ".expected") continue;
      INFO("crasher " << file.string());
      const std::string input = test::slurp(file.string());
      bool threw = false;
      std::string message;
      try {
        fn(input);  // a crash or an abort here ends the test binary: that is the failure
      } catch (const Error& e) {
        threw = true;
        message = without_scratch_dir(e.what());
      }
      ++replayed;
      const std::string expected_path = file.string() + ".expected";
      if (write_expected && !fs::exists(expected_path)) {
        std::ofstream(expected_path) << (threw ? message : kAccepted) << "\n";
      }
      REQUIRE(fs::exists(expected_path));
      CHECK((threw ? message : kAccepted) == trim_newline(test::slurp(expected_path)));
    }
  }
  CHECK(replayed >= 8);  // those found so far (fuzz/crashers/); new ones add to it
}

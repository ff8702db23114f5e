// The harness shared by the libFuzzer targets in fuzz/ and by the regression test that replays
// fuzz/crashers/ under the normal build (tests/fuzz/fuzz_regression_test.cpp).
//
// A target is a function that feeds one input to one reader. It may throw towerrec::Error (bad
// input is expected); anything else escaping it (another exception, a crash, a sanitizer report, a
// TOWERREC_CHECK abort) is a bug in the library. Built with TOWERREC_FUZZ_ENTRY each target file
// becomes its own libFuzzer binary; without it the targets register themselves by name so the test
// can look them up.
//
// Readers take directories of files, so most targets write the input to a scratch directory (tmpfs
// when available) and point the reader at it: FileSet lets the first input byte pick which of the
// reader's files the rest of the input replaces, the other files keeping small valid contents.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace towerrec {
struct Dataset;
}

namespace towerrec::fuzz {

using TargetFn = void (*)(std::string_view input);

// name -> target, filled by TOWERREC_FUZZ_TARGET when not building a fuzzer binary.
std::map<std::string, TargetFn>& registry();

struct Register {
  Register(const char* name, TargetFn fn);
};

// A per-process scratch directory (under /dev/shm when it exists, else $TMPDIR or /tmp), removed at
// exit. Every message of a reader names files in it.
const std::string& scratch_dir();

// Writes `contents` to scratch_dir()/name, skipping the write when the file already holds exactly
// that (the common case for the fixed files of a FileSet).
std::string write_scratch(const std::string& name, std::string_view contents);

// Files of one reader: `files[i]` is (name, valid contents). set() writes every file, with the one
// picked by the input's first byte replaced by the rest of the input, and returns the flags byte
// (the first byte without its file-index bits) for the target's own choices.
struct FileSet {
  std::vector<std::pair<std::string, std::string>> files;
  uint8_t set(std::string_view input) const;
};

// Removes scratch_dir()/name (for targets that also try a reader without an optional file).
void remove_scratch(const std::string& name);

// Aborts (TOWERREC_CHECK) unless `data` is self-consistent: rating indices in range, values on the
// declared scale, item and user metadata sized to the catalogue and the users. A reader that
// returns a broken Dataset without throwing is a bug as much as a crash.
void check_dataset(const Dataset& data);

// Runs `fn` on `input`, letting towerrec::Error through silently and nothing else.
void run_one(TargetFn fn, const uint8_t* data, size_t size);

}  // namespace towerrec::fuzz

#ifdef TOWERREC_FUZZ_ENTRY
#define TOWERREC_FUZZ_TARGET(name, fn)                                      \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
    ::towerrec::fuzz::run_one(fn, data, size);                              \
    return 0;                                                               \
  }
#else
#define TOWERREC_FUZZ_TARGET(name, fn) \
  static const ::towerrec::fuzz::Register kFuzzRegister_##name(#name, fn);
#endif

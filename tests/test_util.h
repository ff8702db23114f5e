// Helpers shared by the tests: temporary directories, fixture files, the shared real datasets,
// running the towerrec binary, and test matrices.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace towerrec::test {

// A fresh directory under the system temp dir, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Writes `contents` to path()/name (creating parent dirs) and returns the full path.
  std::string write(const std::string& name, const std::string& contents) const;

 private:
  std::string path_;
};

// ../shared/data/<name> (or $TOWERREC_SHARED_DATA/<name>) when it exists, "" otherwise. Tests that
// need real data WARN with the reason and return when this is "".
std::string shared_data(const std::string& name);

struct CliResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs the built towerrec binary with `args` (each quoted for the shell) and captures its output.
CliResult run_cli(const std::vector<std::string>& args, const std::string& env = "");

// Runs a shell command line, capturing stdout and stderr (exit_code 128+N when killed by signal N).
CliResult run_shell(const std::string& command);

// Starts the built towerrec binary with `args` (no shell: the pid is towerrec's), its stdout and
// stderr appended to `log`, and returns its pid without waiting; throws std::runtime_error when it
// cannot start. The caller reaps it (waitpid).
int spawn_cli(const std::vector<std::string>& args, const std::string& log);

// The path of the built towerrec binary, and `s` quoted for the shell.
std::string cli_path();
std::string shell_quote(const std::string& s);

// The whole content of a file ("" if it does not exist).
std::string slurp(const std::string& path);

// A rows x cols row-major matrix of integers in [-span, span] drawn from `seed`. Every dot product
// of two such rows is exact in float (so any summation order or FMA gives the same score), and
// many tie, which exercises the top-K's lower-index-first rule.
std::vector<float> integer_matrix(int64_t rows, int64_t cols, uint64_t seed, int64_t span = 2);

}  // namespace towerrec::test

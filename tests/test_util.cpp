#include "test_util.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/rng.h"

extern char** environ;

namespace towerrec::test {
namespace fs = std::filesystem;

TempDir::TempDir() {
  static std::random_device rd;
  const fs::path base = fs::temp_directory_path();
  for (int i = 0; i < 100; ++i) {
    fs::path p =
        base / ("towerrec-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::error_code ec;
    if (fs::create_directory(p, ec)) {
      path_ = p.string();
      return;
    }
  }
  throw std::runtime_error("cannot create a temp dir");
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
  fs::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, const std::string& contents) const {
  const fs::path p = fs::path(path_) / name;
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << contents;
  return p.string();
}

std::string shared_data(const std::string& name) {
  const char* env = std::getenv("TOWERREC_SHARED_DATA");
  const fs::path base =
      env ? fs::path(env) : fs::path(TOWERREC_SOURCE_DIR) / ".." / "shared" / "data";
  const fs::path p = base / name;
  std::error_code ec;
  return fs::is_directory(p, ec) ? p.lexically_normal().string() : std::string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string cli_path() { return TOWERREC_CLI; }

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

CliResult run_cli(const std::vector<std::string>& args, const std::string& env) {
  std::string cmd = env.empty() ? "" : env + " ";
  cmd += shell_quote(TOWERREC_CLI);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  return run_shell(cmd);
}

int spawn_cli(const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> all = {cli_path()};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start " + cli_path());
  return pid;
}

CliResult run_shell(const std::string& command) {
  TempDir tmp;
  const std::string cmd =
      "( " + command + " ) >'" + tmp.file("out") + "' 2>'" + tmp.file("err") + "' </dev/null";
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(tmp.file("out"));
  r.err = slurp(tmp.file("err"));
  return r;
}

std::vector<float> integer_matrix(int64_t rows, int64_t cols, uint64_t seed, int64_t span) {
  Rng rng(seed);
  std::vector<float> m(static_cast<size_t>(rows * cols));
  for (float& x : m) x = static_cast<float>(static_cast<int64_t>(rng.below(2 * span + 1)) - span);
  return m;
}

}  // namespace towerrec::test

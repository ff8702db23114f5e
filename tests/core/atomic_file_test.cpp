#include "core/atomic_file.h"

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include "test_util.h"

using namespace towerrec;
using towerrec::test::TempDir;
namespace fs = std::filesystem;

namespace {

std::set<std::string> names_in(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

// The pid of a process that has exited (and been reaped).
pid_t dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

}  // namespace

TEST_CASE("atomic file: the target is replaced whole or not at all", "[core]") {
  TempDir dir;
  const std::string path = dir.file("out.json");
  write_file_atomic(path, "old\n");
  {
    AtomicFile f(path);
    f.stream() << "half";
    CHECK(test::slurp(path) == "old\n");  // nothing reaches the target before commit()
  }  // no commit: the temporary file is removed, the target untouched
  CHECK(test::slurp(path) == "old\n");
  CHECK(names_in(dir.path()) == std::set<std::string>{"out.json"});
  AtomicFile f(path);
  f.stream() << "new\n";
  f.commit();
  CHECK(test::slurp(path) == "new\n");
  CHECK(names_in(dir.path()) == std::set<std::string>{"out.json"});
}

TEST_CASE("atomic file: temporary files of killed writers are removed", "[core]") {
  TempDir dir;
  const std::string dead = std::to_string(dead_pid());
  const std::string mine = std::to_string(::getpid());
  for (const std::string& name : std::vector<std::string>{
           "model.ckpt", "model.ckpt.tmp-" + dead + "-3", "epochs.jsonl.tmp-" + dead + "-12",
           "live.json.tmp-" + mine + "-0", "init.json.tmp-1-0", "notes.tmp-x", "a.tmp-" + dead,
           "b.tmp-" + dead + "-1-2"})
    dir.write(name, "x");
  CHECK(remove_stale_temp_files(dir.path()) == 2);
  // Kept: the real file, the temporaries of running processes (this one, init) and names that are
  // not "<name>.tmp-<pid>-<n>".
  CHECK(names_in(dir.path()) == std::set<std::string>{"model.ckpt", "live.json.tmp-" + mine + "-0",
                                                      "init.json.tmp-1-0", "notes.tmp-x",
                                                      "a.tmp-" + dead, "b.tmp-" + dead + "-1-2"});
  CHECK(remove_stale_temp_files(dir.file("missing")) == 0);
}

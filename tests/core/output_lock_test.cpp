#include "core/output_lock.h"

#include <filesystem>
#include <string>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include "core/error.h"
#include "test_util.h"

using namespace towerrec;
using towerrec::test::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string kMyPid = std::to_string(::getpid());

std::string locked_message(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const LockedError& e) {
    return e.what();
  }
  FAIL("expected LockedError");
  return "";
}

}  // namespace

TEST_CASE("output lock: a second writer of a directory fails at once, naming the holder",
          "[core]") {
  TempDir dir;
  const std::string run = dir.file("run");
  {
    const OutputLock lock = OutputLock::directory(run);
    CHECK(lock.lock_path() == run + "/towerrec.lock");
    // "<pid>\n<command>\n": this test binary, by its base name.
    const std::string contents = test::slurp(lock.lock_path());
    CHECK(contents.rfind(kMyPid + "\n", 0) == 0);
    CHECK(contents.find("towerrec_tests") != std::string::npos);
    const std::string msg = locked_message([&] { OutputLock::directory(run); });
    CHECK(msg.rfind(run + ": in use by another writer, pid " + kMyPid + " (towerrec_tests", 0) ==
          0);
    CHECK(msg.find("); one writer at a time: wait for it to finish, or write elsewhere") !=
          std::string::npos);
    const auto holder = directory_lock_holder(run);
    REQUIRE(holder);
    CHECK(holder->pid == kMyPid);
  }
  // Released: the lock file is gone, and so is the directory the lock created and nobody wrote.
  CHECK(!fs::exists(run));
  CHECK(!directory_lock_holder(run));

  // An existing directory is left exactly as it was; one written into stays.
  dir.write("old/keep.txt", "x");
  { const OutputLock lock = OutputLock::directory(dir.file("old")); }
  CHECK(fs::exists(dir.file("old/keep.txt")));
  CHECK(!fs::exists(dir.file("old/towerrec.lock")));
  {
    const OutputLock lock = OutputLock::directory(dir.file("new/run"));
    dir.write("new/run/model.ckpt", "w");
  }
  CHECK(test::slurp(dir.file("new/run/model.ckpt")) == "w");
  CHECK(!fs::exists(dir.file("new/run/towerrec.lock")));
}

TEST_CASE("output lock: a single output file is locked by <file>.lock beside it", "[core]") {
  TempDir dir;
  const std::string out = dir.file("recs.csv");
  {
    const OutputLock lock = OutputLock::file(out);
    CHECK(lock.lock_path() == out + ".lock");
    CHECK(fs::exists(out + ".lock"));
    CHECK(locked_message([&] {
            OutputLock::file(out);
          }).rfind(out + ": in use by another writer, pid " + kMyPid, 0) == 0);
    CHECK_NOTHROW(OutputLock::file(dir.file("other.csv")));  // another output is another lock
  }
  CHECK(fs::directory_iterator(dir.path()) == fs::directory_iterator());
  CHECK_THROWS_WITH(OutputLock::file(dir.file("missing/recs.csv")),
                    Catch::StartsWith("cannot write " + dir.file("missing/recs.csv") +
                                      ": cannot create its lock file"));
  CHECK(!fs::exists(dir.file("missing")));
}

TEST_CASE("output lock: unreadable holder details are reported as unknown", "[core]") {
  TempDir dir;
  const OutputLock lock = OutputLock::directory(dir.path());
  dir.write("towerrec.lock", "garbage without a newline");  // same file: the lock still holds
  CHECK(locked_message([&] {
          OutputLock::directory(dir.path());
        }).rfind(dir.path() + ": in use by another writer, pid unknown (unknown)", 0) == 0);
  REQUIRE(directory_lock_holder(dir.path()));
  CHECK(directory_lock_holder(dir.path())->pid == "unknown");
}

TEST_CASE("output lock: kill -9 of the holder leaves no stale lock", "[core]") {
  TempDir dir;
  const std::string path = dir.file("towerrec.lock");
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t child = ::fork();
  if (child == 0) {
    // Only system calls after fork: the child holds the lock as a writer does, then waits.
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0644);
    struct flock fl = {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fd < 0 || ::fcntl(fd, F_OFD_SETLK, &fl) != 0) ::_exit(1);
    char buf[32];
    const int n = std::snprintf(buf, sizeof buf, "%d\nholder\n", static_cast<int>(::getpid()));
    if (::write(fd, buf, static_cast<size_t>(n)) != n || ::write(ready[1], "x", 1) != 1) ::_exit(1);
    for (;;) ::pause();
  }
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  const std::string pid = std::to_string(child);
  CHECK(locked_message([&] {
          OutputLock::directory(dir.path());
        }).rfind(dir.path() + ": in use by another writer, pid " + pid + " (holder)", 0) == 0);
  REQUIRE(directory_lock_holder(dir.path()));
  CHECK(directory_lock_holder(dir.path())->pid == pid);

  ::kill(child, SIGKILL);
  REQUIRE(::waitpid(child, nullptr, 0) == child);
  ::close(ready[0]);
  ::close(ready[1]);
  // The file stays behind, but the kernel dropped the lock with the process.
  CHECK(fs::exists(path));
  CHECK(!directory_lock_holder(dir.path()));
  const OutputLock lock = OutputLock::directory(dir.path());
  CHECK(test::slurp(path).rfind(kMyPid + "\n", 0) == 0);
}

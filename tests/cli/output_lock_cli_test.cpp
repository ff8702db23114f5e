// One writer per output through the real binary (issue 21, core/output_lock.h): two trainings into
// one directory, kill -9 then train / --resume, and every writing command refusing an output
// another process holds, before touching anything.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include "config/yaml_config.h"
#include "core/output_lock.h"
#include "hostile_case.h"

using towerrec::OutputLock;
using towerrec::test::run_cli;
using towerrec::test::slurp;
using towerrec::test::snapshot;
using towerrec::test::spawn_cli;
using towerrec::test::TempDir;

namespace fs = std::filesystem;

namespace {

const std::string kTestPid = std::to_string(::getpid());

// About 2 s of training after about 1 s of start-up (the synthetic default generated into the run
// directory), one thread so that two runs give the same bytes.
std::string long_run_config(const TempDir& dir) {
  return dir.write("long.yaml",
                   "name: race\n"
                   "data:\n  synthetic:\n    users: 600\n    items: 400\n"
                   "    ratings_per_user: 50\n"
                   "model:\n  user_hidden: [128, 64]\n  item_hidden: [128, 64]\n  dim: 16\n"
                   "train:\n  epochs: 12\n  patience: 12\n  batch_size: 16\n  threads: 1\n");
}

// Waits until `ready()` or until process `pid` has exited (then returns false, and its status).
bool wait_until(pid_t pid, const std::function<bool()>& ready, int& status) {
  for (int i = 0; i < 60000; ++i) {
    if (ready()) return true;
    if (::waitpid(pid, &status, WNOHANG) == pid) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

bool lock_names(const std::string& lock_file, pid_t pid) {
  return slurp(lock_file).rfind(std::to_string(pid) + "\n", 0) == 0;
}

// The message of a writer refused because this test process holds its output's lock.
std::string refused_message(const std::string& output) {
  return "towerrec: error: " + output + ": in use by another writer, pid " + kTestPid +
         " (towerrec_tests";
}

void check_refused(const towerrec::test::CliResult& r, const std::string& output) {
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.rfind(refused_message(output), 0) == 0);
}

}  // namespace

TEST_CASE("output lock cli: of two trainings into one directory exactly one proceeds",
          "[cli][lock]") {
  TempDir dir;
  const std::string cfg = long_run_config(dir);
  const std::string run = dir.file("run");
  const pid_t first = spawn_cli({"train", "--config", cfg, "--out", run, "-q"}, dir.file("log"));
  int status = 0;
  REQUIRE(wait_until(
      first, [&] { return lock_names(run + "/towerrec.lock", first); }, status));

  // A second training into the same directory, with another config, is refused at once: it
  // exits while the first still holds the lock, and names it.
  const auto second = run_cli({"train", "--config", cfg, "--out", run, "--set", "train.epochs=2",
                               "--set", "train.seed=5", "-q"});
  const bool first_still_running = ::waitpid(first, &status, WNOHANG) == 0;
  INFO("stderr: " << second.err);
  CHECK(second.exit_code == 1);
  CHECK(second.err == "towerrec: error: " + run + ": in use by another writer, pid " +
                          std::to_string(first) + " (towerrec train --config " + cfg + " --out " +
                          run +
                          " -q); one writer at a time: wait for it to finish, or write "
                          "elsewhere\n");
  CHECK(first_still_running);
  if (first_still_running) REQUIRE(::waitpid(first, &status, 0) == first);
  INFO("log of the first: " << slurp(dir.file("log")));
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);

  // Everything in the directory is the first run's: the same bytes as the same config run alone.
  REQUIRE(run_cli({"train", "--config", cfg, "--out", dir.file("solo"), "-q"}).exit_code == 0);
  CHECK(slurp(run + "/model.ckpt") == slurp(dir.file("solo/model.ckpt")));
  const towerrec::RunOptions opts = towerrec::load_run_options(run + "/config.yaml");
  CHECK(opts.train.epochs == 12);
  CHECK(opts.train.seed == towerrec::load_run_options(cfg).train.seed);
  const std::string epochs = slurp(run + "/epochs.jsonl");
  const std::string solo_epochs = slurp(dir.file("solo/epochs.jsonl"));
  CHECK(std::count(epochs.begin(), epochs.end(), '\n') ==
        std::count(solo_epochs.begin(), solo_epochs.end(), '\n'));
  CHECK(!fs::exists(run + "/towerrec.lock"));
}

TEST_CASE("output lock cli: kill -9 leaves no stale lock for train or --resume", "[cli][lock]") {
  TempDir dir;
  const std::string cfg = long_run_config(dir);
  const std::string run = dir.file("run");
  const std::string lock = run + "/towerrec.lock";

  // Killed after its first epoch: --resume continues it.
  pid_t pid = spawn_cli({"train", "--config", cfg, "--out", run, "-q"}, dir.file("log"));
  int status = 0;
  REQUIRE(wait_until(
      pid, [&] { return fs::exists(run + "/train_state.bin"); }, status));
  ::kill(pid, SIGKILL);
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFSIGNALED(status));
  CHECK(fs::exists(lock));  // left behind, but no process holds it
  CHECK(!towerrec::directory_lock_holder(run));
  auto r = run_cli({"train", "--resume", run, "-q"});
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 0);
  CHECK(fs::exists(run + "/metrics.json"));
  CHECK(!fs::exists(lock));

  // Killed as soon as it holds the lock: a fresh run into the directory proceeds.
  pid = spawn_cli({"train", "--config", cfg, "--out", run, "-q"}, dir.file("log"));
  REQUIRE(wait_until(
      pid, [&] { return lock_names(lock, pid); }, status));
  ::kill(pid, SIGKILL);
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(fs::exists(lock));
  r = run_cli({"train", "--config", cfg, "--out", run, "--set", "train.epochs=1", "-q"});
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 0);
  CHECK(fs::exists(run + "/metrics.json"));
  CHECK(!fs::exists(lock));
}

TEST_CASE("output lock cli: every writer refuses an output another process holds", "[cli][lock]") {
  // One small finished run for every section (Catch2 runs the test case once per section).
  static const TempDir dir;
  static const std::string cfg =
      dir.write("small.yaml",
                "name: small\n"
                "data:\n  synthetic:\n    users: 60\n    items: 80\n"
                "    ratings_per_user: 10\n"
                "model:\n  user_hidden: [8]\n  item_hidden: [8]\n  dim: 4\n"
                "train:\n  epochs: 1\n  batch_size: 64\n");
  static const std::string run = dir.file("run");
  if (!fs::exists(run + "/model.ckpt"))
    REQUIRE(run_cli({"train", "--config", cfg, "--out", run, "-q"}).exit_code == 0);

  SECTION("directories: train, --resume, compare, export, generate") {
    const OutputLock lock = OutputLock::directory(run);
    const auto before = snapshot(run);
    check_refused(run_cli({"train", "--config", cfg, "--out", run, "-q"}), run);
    check_refused(run_cli({"train", "--resume", run, "-q"}), run);
    CHECK(snapshot(run) == before);
    const std::vector<std::pair<std::string, std::vector<std::string>>> writers = {
        {dir.file("cmp"), {"compare", "--config", cfg, "--out", dir.file("cmp"), "-q"}},
        {dir.file("towers"), {"export", "--run", run, "--out", dir.file("towers")}},
        {dir.file("gen"), {"generate", "--out", dir.file("gen"), "--users", "10", "--quiet"}}};
    for (const auto& [out, args] : writers) {
      INFO(args[0]);
      const OutputLock other = OutputLock::directory(out);
      check_refused(run_cli(args), out);
      CHECK(snapshot(out).size() == 1);  // the lock file this test holds, nothing else
    }
  }

  SECTION("eval of a run in progress says so, and evaluates its last complete checkpoint") {
    auto r = run_cli({"eval", "--run", run});
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("run in progress") == std::string::npos);
    const OutputLock lock = OutputLock::directory(run);
    r = run_cli({"eval", "--run", run});
    CHECK(r.err.find("run in progress") == std::string::npos);  // metrics.json: it finished
    fs::remove(run + "/metrics.json");
    r = run_cli({"eval", "--run", run});
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err.rfind(
              "towerrec: " + run + ": run in progress: pid " + kTestPid + " (towerrec_tests", 0) ==
          0);
    CHECK(r.out.find("two_tower") != std::string::npos);
  }

  SECTION("files: embed, recommend, recommend --index, similar --out") {
    const auto before = snapshot(dir.path());
    {
      const OutputLock a = OutputLock::file(dir.file("items.npy"));
      const OutputLock b = OutputLock::file(dir.file("recs.csv"));
      const OutputLock c = OutputLock::file(dir.file("sim.csv"));
      check_refused(run_cli({"embed", "--run", run, "--out", dir.file("items.npy"), "-q"}),
                    dir.file("items.npy"));
      check_refused(run_cli({"recommend", "--run", run, "--out", dir.file("recs.csv"), "-q"}),
                    dir.file("recs.csv"));
      check_refused(
          run_cli({"similar", "--run", run, "--item", "1", "--out", dir.file("sim.csv"), "-q"}),
          dir.file("sim.csv"));
    }
    const std::vector<std::string> retrieval = {"recommend", "--run",
                                                run,         "--retrieval",
                                                "--set",     "serve.retrieval.recall_users=0",
                                                "--index",   dir.file("idx.bin"),
                                                "--out",     dir.file("r.csv"),
                                                "-q"};
    {
      const OutputLock index = OutputLock::file(dir.file("idx.bin"));
      check_refused(run_cli(retrieval), dir.file("idx.bin"));
    }
    CHECK(snapshot(dir.path()) == before);  // nothing written, no lock file left
    auto r = run_cli(retrieval);
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(fs::exists(dir.file("idx.bin")));
    CHECK(!fs::exists(dir.file("idx.bin.lock")));
    CHECK(!fs::exists(dir.file("r.csv.lock")));
    // An index that exists is only read: its lock does not stop a reader.
    const OutputLock index = OutputLock::file(dir.file("idx.bin"));
    r = run_cli(retrieval);
    CHECK(r.exit_code == 0);
  }
}

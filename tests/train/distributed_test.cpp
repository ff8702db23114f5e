// Distributed training (dist/dist_context.h) under torchrun with 2 local ranks: the all-reduce
// helper, equivalence of 2 ranks with 1 process (two-tower and CF), rank-0-only outputs, and a dead
// or hung rank failing the others within dist.timeout_seconds. Tests WARN and return when torchrun
// (Debian's python3-torch) is not installed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cf/cf_model.h"
#include "config/options.h"
#include "config/yaml_config.h"
#include "core/error.h"
#include "dist/dist_context.h"
#include "test_util.h"
#include "train/train_state.h"
#include "train/training_run.h"

namespace fs = std::filesystem;
using nlohmann::json;
using towerrec::test::CliResult;
using towerrec::test::TempDir;

namespace {

constexpr const char* kTorchrun = "/usr/bin/torchrun";

bool have_torchrun() {
  if (fs::exists(kTorchrun)) return true;
  WARN("torchrun not installed (Debian python3-torch; scripts/install_deps): test skipped");
  return false;
}

// A TCP port nobody listens on right now (bound to 0, read back, released).
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

// torchrun with 2 local ranks on `binary args`, as the README runs it (Debian's torchrun crashes in
// to_map with other --redirects/--tee values on Python 3.11): each rank's stderr is teed with a
// "[default<rank>]:" prefix, stdout passes through unprefixed; out holds both. torchrun SIGTERMs
// the surviving ranks at its first poll after one fails: the failure tests poll slowly (`monitor` >
// the timeout under test) so the survivor's own error is printed first, which a 1 s poll lost under
// load.
CliResult torchrun(const TempDir& dir, const std::string& binary, const std::string& args,
                   int monitor = 1) {
  const std::string cmd = std::string(kTorchrun) +
                          " --no_python --nproc_per_node 2 --redirects 2 --tee 2"
                          " --monitor_interval " +
                          std::to_string(monitor) + " --master_addr 127.0.0.1 --master_port " +
                          std::to_string(free_port()) + " --log_dir " +
                          towerrec::test::shell_quote(dir.file("torchrun_logs")) + " " +
                          towerrec::test::shell_quote(binary) + " " + args + " 2>&1";
  return towerrec::test::run_shell("OMP_NUM_THREADS=1 " + cmd);
}

std::string probe() { return TOWERREC_DIST_PROBE; }

// Files under `dir`, relative, sorted.
std::set<std::string> files_under(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.insert(fs::relative(e.path(), dir).string());
  return out;
}

// The float32 values of a two-tower checkpoint (model/two_tower_model.h format, version 1).
std::vector<float> checkpoint_values(const std::string& path) {
  const std::string bytes = towerrec::test::slurp(path);
  REQUIRE(bytes.size() > 24);
  uint32_t header = 0;
  std::memcpy(&header, bytes.data() + 12, 4);
  uint64_t n = 0;
  std::memcpy(&n, bytes.data() + 16 + header, 8);
  REQUIRE(bytes.size() >= 24 + header + n * 4);
  std::vector<float> v(n);
  std::memcpy(v.data(), bytes.data() + 24 + header, n * 4);
  return v;
}

float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  float d = 0;
  for (size_t k = 0; k < a.size(); ++k) d = std::max(d, std::abs(a[k] - b[k]));
  return d;
}

// Every number of two JSON documents agrees within `tol` (relative to its magnitude when that is
// above 1; keys holding timings excepted); strings, booleans and nulls are equal.
void check_same_numbers(const json& a, const json& b, double tol, const std::string& where = "") {
  INFO(where);
  REQUIRE(a.type() == b.type());
  if (a.is_object()) {
    REQUIRE(a.size() == b.size());
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (it.key().find("seconds") != std::string::npos || it.key() == "rows_per_sec") continue;
      REQUIRE(b.contains(it.key()));
      check_same_numbers(it.value(), b[it.key()], tol, where + "." + it.key());
    }
  } else if (a.is_array()) {
    REQUIRE(a.size() == b.size());
    for (size_t k = 0; k < a.size(); ++k)
      check_same_numbers(a[k], b[k], tol, where + "[" + std::to_string(k) + "]");
  } else if (a.is_number()) {
    const double x = a.get<double>(), y = b.get<double>();
    CHECK(std::abs(x - y) <= tol * std::max(1.0, std::abs(x)));
  } else {
    CHECK(a == b);
  }
}

std::vector<json> jsonl(const std::string& path) {
  std::vector<json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

// Runs `config` once in one process and once under torchrun with 2 ranks; returns the run dirs.
void run_both(const TempDir& dir, const std::string& config, std::string& one, std::string& two) {
  one = dir.file("one");
  two = dir.file("two");
  const CliResult r1 = towerrec::test::run_cli({"train", "--config", config, "--out", one});
  INFO(r1.err);
  REQUIRE(r1.exit_code == 0);
  const CliResult r2 = torchrun(dir, towerrec::test::cli_path(),
                                "train --config " + towerrec::test::shell_quote(config) +
                                    " --out " + towerrec::test::shell_quote(two));
  INFO(r2.out);
  REQUIRE(r2.exit_code == 0);
  // Only rank 0 prints the metrics (once) and logs.
  const size_t first = r2.out.find("\"n_train\"");
  CHECK(first != std::string::npos);
  CHECK(r2.out.find("\"n_train\"", first + 1) == std::string::npos);
  CHECK(r2.out.find("[default1]:") == std::string::npos);
  // Rank 0 alone writes: the same files as one process (no second copy, no rank-suffixed files).
  CHECK(files_under(one) == files_under(two));
  // The configs differ in `out` only.
  std::string config_two = towerrec::test::slurp(two + "/config.yaml");
  const size_t at = config_two.find(two);
  REQUIRE(at != std::string::npos);
  config_two.replace(at, two.size(), one);
  CHECK(towerrec::test::slurp(one + "/config.yaml") == config_two);
  CHECK(towerrec::test::slurp(one + "/features.json") ==
        towerrec::test::slurp(two + "/features.json"));
  check_same_numbers(json::parse(towerrec::test::slurp(one + "/metrics.json")),
                     json::parse(towerrec::test::slurp(two + "/metrics.json")), 1e-5, "metrics");
  const auto e1 = jsonl(one + "/epochs.jsonl"), e2 = jsonl(two + "/epochs.jsonl");
  REQUIRE(e1.size() == e2.size());
  for (size_t k = 0; k < e1.size(); ++k)
    check_same_numbers(e1[k], e2[k], 1e-5, "epochs.jsonl line " + std::to_string(k + 1));
}

constexpr const char* kSmallData =
    "data:\n  synthetic:\n    users: 150\n    items: 120\n    ratings_per_user: 20\n";

// Trains `cfg` in one process and under torchrun with 2 ranks: the two-tower checkpoints agree.
void check_same_checkpoint(const TempDir& dir, const std::string& cfg) {
  std::string one, two;
  run_both(dir, cfg, one, two);
  const std::vector<float> p1 = checkpoint_values(one + "/model.ckpt");
  const std::vector<float> p2 = checkpoint_values(two + "/model.ckpt");
  CHECK(p1.size() > 1000);
  CHECK(max_abs_diff(p1, p2) <= 1e-5f);
}

}  // namespace

TEST_CASE("distributed: without torchrun's variables the context is one process", "[train][dist]") {
  for (const char* v : {"WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"})
    if (std::getenv(v)) {
      WARN("running under a launcher (" << v << " set): test skipped");
      return;
    }
  towerrec::DistOptions opts;
  opts.bucket_mb = 0.001;
  towerrec::DistContext one = towerrec::DistContext::from_environment(opts);
  CHECK(one.rank() == 0);
  CHECK(one.world_size() == 1);
  CHECK(one.is_root());
  CHECK_FALSE(one.distributed());
  std::vector<float> x = {1.5f, -2.f, 3.f};
  one.all_reduce_sum(x.data(), 3);
  one.barrier();
  CHECK(x == std::vector<float>{1.5f, -2.f, 3.f});
  CHECK(one.collectives() == 0);
  CHECK(one.shard_begin(10) == 0);
  CHECK(one.shard_end(10) == 10);

  // Malformed variables are named.
  ::setenv("WORLD_SIZE", "2", 1);
  ::setenv("RANK", "5", 1);
  ::setenv("MASTER_ADDR", "127.0.0.1", 1);
  ::setenv("MASTER_PORT", "29999", 1);
  try {
    towerrec::DistContext::from_environment(opts);
    FAIL("expected an error");
  } catch (const towerrec::Error& e) {
    CHECK(std::string(e.what()) ==
          "distributed training: RANK: expected an integer in [0, 1], found \"5\"");
  }
  ::unsetenv("RANK");
  try {
    towerrec::DistContext::from_environment(opts);
    FAIL("expected an error");
  } catch (const towerrec::Error& e) {
    CHECK(std::string(e.what()).find("distributed training: RANK is not set") == 0);
  }
  ::setenv("WORLD_SIZE", "1", 1);
  CHECK_FALSE(towerrec::DistContext::from_environment(opts).distributed());
  for (const char* v : {"WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"}) ::unsetenv(v);
}

TEST_CASE("distributed: 2 ranks all-reduce in buckets under torchrun", "[train][dist]") {
  if (!have_torchrun()) return;
  TempDir dir;
  // 1000 floats in buckets of 0.001 MB (262 floats) -> 4 all-reduce calls per step, 3 steps.
  const CliResult r = torchrun(dir, probe(), "--floats 1000 --steps 3 --bucket-mb 0.001");
  INFO(r.out);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("[default0]:rank 0 of 2 ok, 12 all-reduce calls") != std::string::npos);
  CHECK(r.out.find("[default1]:rank 1 of 2 ok, 12 all-reduce calls") != std::string::npos);
  CHECK(r.out.find("error") == std::string::npos);
}

TEST_CASE("distributed: a dead rank stops the other with a clear error, no hang", "[train][dist]") {
  if (!have_torchrun()) return;
  TempDir dir;
  const auto t0 = std::chrono::steady_clock::now();
  const CliResult r = torchrun(dir, probe(), "--steps 5 --timeout 5 --die-rank 1 --die-at 2", 10);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(r.out);
  CHECK(r.exit_code != 0);
  CHECK(r.out.find("[default0]:error: distributed training: rank 0 of 2: all-reduce failed: "
                   "another rank stopped or did not answer within dist.timeout_seconds (5 s)") !=
        std::string::npos);
  CHECK(r.out.find("ok,") == std::string::npos);
  // The timeout plus torchrun's start-up (3 s quiet, 16 s measured at load 6); a hang never
  // returns.
  CHECK(seconds < 5 + 30);
}

TEST_CASE("distributed: a hung rank makes the other fail after dist.timeout_seconds",
          "[train][dist]") {
  if (!have_torchrun()) return;
  TempDir dir;
  const auto t0 = std::chrono::steady_clock::now();
  const CliResult r = torchrun(dir, probe(), "--steps 5 --timeout 2 --hang-rank 1 --hang-at 1");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(r.out);
  CHECK(r.exit_code != 0);
  CHECK(r.out.find("[default0]:error: distributed training: rank 0 of 2: all-reduce failed: "
                   "another rank stopped or did not answer within dist.timeout_seconds (2 s)") !=
        std::string::npos);
  CHECK(seconds >= 2);
  CHECK(seconds < 2 + 30);
}

TEST_CASE("distributed: 2 ranks train the same two-tower model as 1 process", "[train][dist]") {
  if (!have_torchrun()) return;
  TempDir dir;
  // 2 epochs of batch 100 over an odd row count: unequal shards and a short last batch; early
  // stopping's validation loss is reduced from shards.
  const std::string cfg = dir.write(
      "tt.yaml", std::string("name: tt\n") + kSmallData +
                     "model:\n  user_hidden: [16]\n  item_hidden: [16]\n  dim: 8\n"
                     "train:\n  epochs: 2\n  batch_size: 101\n  lr: 0.01\n  threads: 1\n");
  check_same_checkpoint(dir, cfg);
}

TEST_CASE("distributed: 2 ranks train the same retrieval model as 1 process", "[train][dist]") {
  if (!have_torchrun()) return;
  TempDir dir;
  // The joint loss with bags, a rating head and extra negatives: each rank runs its shard of the
  // rows and of the negatives, the softmax sees the gathered global batch
  // (train/two_tower_step_impl.h), so the gradients are one process's up to rounding; recall early
  // stopping is reduced from shards.
  const std::string cfg =
      dir.write("rt.yaml", std::string("name: rt\n") + kSmallData +
                               "features:\n  out_of_fold: 0\n  watched_items: 50\n  item_ids: 40\n"
                               "model:\n  user_hidden: [16]\n  item_hidden: [16]\n  dim: 8\n"
                               "  rating_head: linear\n"
                               "train:\n  epochs: 2\n  batch_size: 101\n  lr: 0.01\n  threads: 1\n"
                               "  loss: joint\n  temperature: 0.2\n  extra_negatives: 7\n"
                               "  early_stopping: recall\n");
  check_same_checkpoint(dir, cfg);
}

TEST_CASE("distributed: 2 ranks train the same CF model as 1 process", "[train][dist]") {
  if (!have_torchrun()) return;
  TempDir dir;
  const std::string cfg =
      dir.write("cf.yaml", std::string("name: cf\n") + kSmallData +
                               "model:\n  kind: cf\n"
                               "cf:\n  features: 8\n  iterations: 25\n  lr: 0.05\n  lambda: 2\n");
  std::string one, two;
  run_both(dir, cfg, one, two);
  const towerrec::CfModel m1 = towerrec::CfModel::load(one + "/model.cf");
  const towerrec::CfModel m2 = towerrec::CfModel::load(two + "/model.cf");
  CHECK(max_abs_diff(m1.user_weights(), m2.user_weights()) <= 1e-5f);
  CHECK(max_abs_diff(m1.item_features(), m2.item_features()) <= 1e-5f);
  CHECK(max_abs_diff(m1.user_bias(), m2.user_bias()) <= 1e-5f);
}

TEST_CASE("distributed: training stops with a clear error when a rank is killed", "[train][dist]") {
  if (!have_torchrun()) return;
  TempDir dir;
  // Long enough (15 s in one process) that rank 1 is killed mid-training: its wrapper SIGKILLs it
  // once rank 0 has written the first epoch; rank 0 must then fail fast, not finish or hang.
  const std::string cfg = dir.write(
      "long.yaml", std::string("name: long\n") +
                       "data:\n  synthetic:\n    users: 300\n    items: 200\n"
                       "    ratings_per_user: 30\n"
                       "model:\n  user_hidden: [32]\n  item_hidden: [32]\n  dim: 8\n"
                       "train:\n  epochs: 400\n  batch_size: 16\n  patience: 0\n  threads: 1\n"
                       "dist:\n  timeout_seconds: 10\n");
  // torchrun starts the same command on every rank; the wrapper singles rank 1 out.
  const std::string wrapper =
      dir.write("rank_wrapper.sh",
                "#!/bin/sh\n"
                "[ \"$RANK\" = 1 ] || exec \"$@\"\n"
                "\"$@\" & pid=$!\n"
                "for i in $(seq 600); do [ -e " +
                    towerrec::test::shell_quote(dir.file("run/epochs.jsonl")) +
                    " ] && break; sleep 0.1; done\n"
                    "kill -KILL $pid\n"
                    "exit 137\n");
  fs::permissions(wrapper, fs::perms::owner_all);
  const auto t0 = std::chrono::steady_clock::now();
  const CliResult r = torchrun(dir, wrapper,
                               towerrec::test::shell_quote(towerrec::test::cli_path()) +
                                   " train -q --config " + towerrec::test::shell_quote(cfg) +
                                   " --out " + towerrec::test::shell_quote(dir.file("run")),
                               11);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(r.out);
  CHECK(r.exit_code != 0);
  CHECK(r.out.find("[default0]:towerrec: error: distributed training: rank 0 of 2: ") !=
        std::string::npos);
  CHECK(r.out.find("another rank stopped or did not answer within dist.timeout_seconds (10 s)") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(dir.file("run/metrics.json")));
  CHECK(seconds < 10 + 30);  // timeout, torchrun's 11 s poll and start-up; a hang never returns
}

TEST_CASE("distributed: every rank resumes from rank 0's train_state.bin", "[train][dist]") {
  if (!have_torchrun()) return;
  TempDir dir;
  // A one-process run stopped in epoch 3 (the state of epoch 2 is written), resumed by 2 ranks:
  // every rank must read the state (a rank starting afresh would train other epochs and weights),
  // and only rank 0 writes.
  auto options = [&](const std::string& out) {
    return towerrec::load_run_options(
        "", {"name=dr", "out=" + dir.file(out), "data.synthetic.users=150",
             "data.synthetic.items=120", "data.synthetic.ratings_per_user=20",
             "model.user_hidden=[16]", "model.item_hidden=[16]", "model.dim=8", "train.epochs=4",
             "train.batch_size=101", "train.lr=0.01", "train.threads=1"});
  };
  towerrec::run_training(options("ref"), {});
  const json ref = json::parse(towerrec::test::slurp(dir.file("ref/metrics.json")));
  struct Interrupted {};
  towerrec::RunCallbacks stop;
  stop.progress = [](const towerrec::Progress& p) {
    if (p.stage.rfind("epoch 3/", 0) == 0) throw Interrupted{};
  };
  CHECK_THROWS_AS(towerrec::run_training(options("two"), stop), Interrupted);
  REQUIRE(towerrec::load_train_state(dir.file("two/train_state.bin")).epochs_done == 2);
  const CliResult r = torchrun(dir, towerrec::test::cli_path(),
                               "train --resume " + towerrec::test::shell_quote(dir.file("two")));
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const std::string log = "resuming " + dir.file("two") + " after epoch 2 of 4";
  const size_t first = r.out.find(log);
  CHECK(first != std::string::npos);
  CHECK(r.out.find(log, first + 1) == std::string::npos);  // rank 0 alone logs
  CHECK(files_under(dir.file("ref")) == files_under(dir.file("two")));
  json two = json::parse(towerrec::test::slurp(dir.file("two/metrics.json")));
  CHECK(two.at("resumed_from_epoch") == 2);
  two.erase("resumed_from_epoch");
  check_same_numbers(ref, two, 1e-5, "metrics");
  const auto e1 = jsonl(dir.file("ref/epochs.jsonl")), e2 = jsonl(dir.file("two/epochs.jsonl"));
  REQUIRE(e1.size() == e2.size());
  for (size_t k = 0; k < e1.size(); ++k)
    check_same_numbers(e1[k], e2[k], 1e-5, "epochs.jsonl line " + std::to_string(k + 1));
  CHECK(max_abs_diff(checkpoint_values(dir.file("ref/model.ckpt")),
                     checkpoint_values(dir.file("two/model.ckpt"))) <= 1e-5f);
}

TEST_CASE("distributed: dist options are YAML keys with checked ranges", "[train][dist]") {
  TempDir dir;
  auto r = towerrec::test::run_cli({"config", "--keys"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("dist.timeout_seconds           300") != std::string::npos);
  CHECK(r.out.find("dist.bucket_mb                 4") != std::string::npos);
  const std::string bad = dir.write("bad.yaml", "name: x\ndist:\n  bucket_mb: 0\n");
  r = towerrec::test::run_cli({"config", "--config", bad});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(bad + ":3: dist.bucket_mb: expected a number in [0.0001, 4096], got \"0\"") !=
        std::string::npos);
  const std::string typo = dir.write("typo.yaml", "name: x\ndist:\n  timeout: 5\n");
  r = towerrec::test::run_cli({"config", "--config", typo});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(typo + ":3:") != std::string::npos);
}

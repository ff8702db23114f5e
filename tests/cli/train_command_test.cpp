#include <filesystem>

#include <catch2/catch.hpp>

#include "test_util.h"

using towerrec::test::run_cli;
using towerrec::test::TempDir;

TEST_CASE("cli train: --help documents the stable interface", "[cli]") {
  const auto r = run_cli({"train", "--help"});
  CHECK(r.exit_code == 0);
  for (const char* flag : {"--config", "--data", "--split", "--out", "--set"})
    CHECK(r.out.find(flag) != std::string::npos);
  CHECK(r.out.find("random:FRACTION:SEED") != std::string::npos);
  CHECK(r.out.find("--resume") != std::string::npos);
  CHECK(r.out.find("train_state.bin") != std::string::npos);
}

TEST_CASE("cli train: --resume takes the whole config from the run directory", "[cli]") {
  TempDir dir;
  const auto cfg = dir.write("ok.yaml", "name: x\n");
  auto r = run_cli({"train", "--resume", dir.path(), "--set", "train.epochs=9"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "towerrec: --resume " + dir.path() + " takes every option from " + dir.path() +
                     "/config.yaml; drop --config, --data, --split, --out and --set (to train "
                     "with other options, start a new run)\n");
  r = run_cli({"train", "--resume", dir.path(), "--config", cfg});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("drop --config") != std::string::npos);
  r = run_cli({"train"});
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "towerrec: train: expected --config FILE (a new run) or --resume DIR (continue one)\n");
  r = run_cli({"train", "--resume", dir.file("none")});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "towerrec: error: " + dir.file("none") +
                     ": not a run directory (no config.yaml; expected the output of `towerrec "
                     "train`)\n");
  CHECK(!std::filesystem::exists(dir.file("none")));
}

TEST_CASE("cli train: bad configs and flags exit 2 with file:line", "[cli]") {
  TempDir dir;
  const auto cfg = dir.write("bad.yaml", "name: x\ntrain:\n  epochs: many\n");
  auto r = run_cli({"train", "--config", cfg, "--out", dir.file("run")});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(cfg + ":3: train.epochs: expected an integer >= 1, got \"many\"") !=
        std::string::npos);
  CHECK(!std::filesystem::exists(dir.file("run")));

  r = run_cli({"train", "--config", dir.file("missing.yaml")});
  CHECK(r.exit_code == 2);
  r = run_cli({"train", "--config", cfg, "--bogus"});
  CHECK(r.exit_code == 2);
  r = run_cli({"train", "--config", dir.write("ok.yaml", "name: x\n"), "--split", "random:2:1",
               "--out", dir.file("run2")});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("random:2:1") != std::string::npos);
  // A bad data.split in the file is blamed on its line, before anything is written.
  r = run_cli({"train", "--config",
               dir.write("split.yaml", "name: x\ndata:\n  split: random:abc\n"), "--out",
               dir.file("run3")});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(dir.file("split.yaml") + ":3: data.split: expected random:FRACTION:SEED") !=
        std::string::npos);
  CHECK(!std::filesystem::exists(dir.file("run3")));
}

TEST_CASE("cli train + eval: a small synthetic run end to end", "[cli]") {
  TempDir dir;
  const auto cfg = dir.write("small.yaml",
                             "name: small\n"
                             "data:\n  synthetic:\n    users: 120\n    items: 100\n"
                             "    ratings_per_user: 20\n"
                             "model:\n  user_hidden: [16]\n  item_hidden: [16]\n  dim: 8\n"
                             "train:\n  epochs: 2\n  batch_size: 64\n");
  auto r = run_cli({"train", "--config", cfg, "--out", dir.file("run"), "--quiet"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("\"test_rmse\"") != std::string::npos);
  CHECK(std::filesystem::exists(dir.file("run/metrics.json")));
  r = run_cli({"eval", "--run", dir.file("run")});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("two_tower") != std::string::npos);
  CHECK(r.out.find("popularity") != std::string::npos);
  r = run_cli({"eval", "--run", dir.path()});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("not a run directory") != std::string::npos);
}

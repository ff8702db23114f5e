#include "config/yaml_config.h"

#include <catch2/catch.hpp>

#include "test_util.h"

using namespace towerrec;
using towerrec::test::TempDir;

namespace {
std::string load_error(const std::string& path, const std::vector<std::string>& sets = {}) {
  try {
    load_run_options(path, sets);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST_CASE("config: defaults and file values load", "[config]") {
  TempDir dir;
  const auto path = dir.write("run.yaml", "name: demo\ntrain:\n  lr: 0.01\n  batch_size: 32\n"
                                          "model:\n  user_hidden: [64, 32]\n");
  RunOptions o = load_run_options(path);
  CHECK(o.name == "demo");
  CHECK(o.train.lr == Approx(0.01));
  CHECK(o.train.batch_size == 32);
  CHECK(o.train.epochs == 30);  // default kept
  CHECK(o.model.user_hidden == std::vector<int64_t>{64, 32});
  CHECK(o.model.item_hidden == std::vector<int64_t>{256, 128});
}

TEST_CASE("config: unknown keys and wrong types name file and line", "[config]") {
  TempDir dir;
  CHECK(load_error(dir.write("a.yaml", "name: x\ntrain:\n  lrr: 0.01\n")) ==
        dir.file("a.yaml") + ":3: train.lrr: expected a known key (batch_size, epochs, lr, patience, "
                             "seed, threads, validation_fraction, weight_decay), got unknown key 'lrr'");
  CHECK(load_error(dir.write("b.yaml", "train:\n  lr: fast\n")) ==
        dir.file("b.yaml") + ":2: train.lr: expected a number > 0, got \"fast\"");
  CHECK(load_error(dir.write("c.yaml", "train:\n  lr: -1\n")) ==
        dir.file("c.yaml") + ":2: train.lr: expected a number > 0, got \"-1\"");
  CHECK(load_error(dir.write("d.yaml", "train: 3\n")) ==
        dir.file("d.yaml") + ":1: train: expected a mapping of keys, got a scalar");
  CHECK(load_error(dir.write("e.yaml", "model:\n  kind: svd\n")) ==
        dir.file("e.yaml") + ":2: model.kind: expected one of: two_tower, cf, got \"svd\"");
  CHECK(load_error(dir.write("f.yaml", "train:\n  epochs: 2.5\n")) ==
        dir.file("f.yaml") + ":2: train.epochs: expected an integer >= 1, got \"2.5\"");
  CHECK(load_error(dir.write("g.yaml", "train:\n  lr: [1\n")).find(dir.file("g.yaml") + ":") == 0);
}

TEST_CASE("config: --set overrides values and is named in errors", "[config]") {
  RunOptions o = load_run_options("", {"train.lr=0.5", "model.user_hidden=[8]", "data.split=temporal:2"});
  CHECK(o.train.lr == Approx(0.5));
  CHECK(o.model.user_hidden == std::vector<int64_t>{8});
  CHECK(o.data.split == "temporal:2");
  CHECK(load_error("", {"train.lr=fast"}) ==
        "--set train.lr=fast:0: train.lr: expected a number > 0, got \"fast\"");
  CHECK_THROWS_AS(load_run_options("", {"nokey"}), UsageError);
}

TEST_CASE("config: the resolved dump loads back to the same values", "[config]") {
  TempDir dir;
  RunOptions o = load_run_options("", {"train.lr=0.003", "name=x y", "model.dim=16"});
  const std::string text = dump_run_options(o);
  CHECK(text.find("lr: 0.003") != std::string::npos);
  RunOptions back = load_run_options(dir.write("r.yaml", text));
  CHECK(back.train.lr == Approx(0.003));
  CHECK(back.name == "x y");
  CHECK(back.model.dim == 16);
  CHECK(dump_run_options(back) == text);
}

TEST_CASE("config: bad serve.ann keys name the key, the line and what was expected", "[config]") {
  TempDir dir;
  CHECK(load_error(dir.write("a.yaml", "serve:\n  ann:\n    m: 1\n")) ==
        dir.file("a.yaml") + ":3: serve.ann.m: expected an integer in [2, 256], got \"1\"");
  CHECK(load_error(dir.write("b.yaml", "serve:\n  ann:\n    ef_search: 0\n")) ==
        dir.file("b.yaml") + ":3: serve.ann.ef_search: expected an integer >= 1, got \"0\"");
  CHECK(load_error(dir.write("c.yaml", "serve:\n  ann:\n    ef_construction: lots\n")) ==
        dir.file("c.yaml") +
            ":3: serve.ann.ef_construction: expected an integer >= 1, got \"lots\"");
  CHECK(load_error(dir.write("d.yaml", "serve:\n  ann:\n    ef: 64\n")) ==
        dir.file("d.yaml") +
            ":3: serve.ann.ef: expected a known key (ef_construction, ef_search, m, "
            "overfetch, seed, threads), got unknown key 'ef'");
  CHECK(load_error("", {"serve.ann.overfetch=0.5"}) ==
        "--set serve.ann.overfetch=0.5:0: serve.ann.overfetch: expected a number in [1, 100], got "
        "\"0.5\"");
}

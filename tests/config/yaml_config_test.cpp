#include "config/yaml_config.h"

#include <catch2/catch.hpp>

#include "core/error.h"
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
  const auto path = dir.write("run.yaml",
                              "name: demo\ntrain:\n  lr: 0.01\n  batch_size: 32\n"
                              "model:\n  user_hidden: [64, 32]\n");
  RunOptions opts = load_run_options(path);
  CHECK(opts.name == "demo");
  CHECK(opts.train.lr == Approx(0.01));
  CHECK(opts.train.batch_size == 32);
  CHECK(opts.train.epochs == 30);  // default kept
  CHECK(opts.model.user_hidden == std::vector<int64_t>{64, 32});
  CHECK(opts.model.item_hidden == std::vector<int64_t>{256, 128});
}

TEST_CASE("config: unknown keys and wrong types name file and line", "[config]") {
  TempDir dir;
  CHECK(load_error(dir.write("a.yaml", "name: x\ntrain:\n  lrr: 0.01\n")) ==
        dir.file("a.yaml") +
            ":3: train.lrr: expected a known key (batch_size, early_stopping, "
            "ema_decay, epochs, extra_negatives, loss, lr, patience, positive_min_rating, "
            "rating_weight, seed, softmax_weight, temperature, threads, "
            "validation_fraction, weight_decay), got unknown key 'lrr'");
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
  RunOptions opts =
      load_run_options("", {"train.lr=0.5", "model.user_hidden=[8]", "data.split=temporal:2"});
  CHECK(opts.train.lr == Approx(0.5));
  CHECK(opts.model.user_hidden == std::vector<int64_t>{8});
  CHECK(opts.data.split == "temporal:2");
  CHECK(load_error("", {"train.lr=fast"}) ==
        "--set train.lr=fast: train.lr: expected a number > 0, got \"fast\"");
  CHECK_THROWS_AS(load_run_options("", {"nokey"}), UsageError);
}

TEST_CASE("config: a bad data.split is blamed on its YAML line, or on the --set that gave it",
          "[config]") {
  TempDir dir;
  const std::string grammar =
      "random:FRACTION:SEED (FRACTION in (0,1)), temporal:N or ml100k:FOLD (u1..u5, ua, ub)";
  CHECK(load_error(dir.write("s.yaml", "name: x\ndata:\n  split: random:abc\n")) ==
        dir.file("s.yaml") + ":3: data.split: expected " + grammar + ", got \"random:abc\"");
  CHECK(load_error(dir.write("t.yaml", "name: x\n"), {"data.split=temporal:0"}) ==
        "--set data.split=temporal:0: data.split: expected " + grammar + ", got \"temporal:0\"");
  // An override of a key the file also sets is named as the override.
  CHECK(load_error(dir.write("u.yaml", "data:\n  split: temporal:1\n"), {"data.split=nope"}) ==
        "--set data.split=nope: data.split: expected " + grammar + ", got \"nope\"");
  CHECK(load_run_options(dir.write("v.yaml", "data:\n  split: ml100k:ua\n")).data.split ==
        "ml100k:ua");
}

TEST_CASE("config: enum keys load, print and are refused by their names", "[config]") {
  TempDir dir;
  const RunOptions o = load_run_options("", {"model.kind=cf", "model.rating_head=separate",
                                             "train.loss=softmax", "train.early_stopping=recall"});
  CHECK(o.model.kind == ModelKind::kCf);
  CHECK(o.model.rating_head == RatingHeadKind::kSeparate);
  CHECK(o.train.loss == TrainLoss::kSoftmax);
  CHECK(o.train.early_stopping == EarlyStopping::kRecall);
  const std::string yaml = dump_run_options(o);
  CHECK(yaml.find("kind: \"cf\"") != std::string::npos);
  CHECK(yaml.find("early_stopping: \"recall\"") != std::string::npos);
  CHECK(dump_run_options(load_run_options(dir.write("back.yaml", yaml))) == yaml);
  CHECK(load_error("", {"train.early_stopping=ndcg"}) ==
        "--set train.early_stopping=ndcg: train.early_stopping: expected one of: loss, recall, "
        "got \"ndcg\"");
  CHECK(load_error(dir.write("r.yaml", "model:\n  rating_head: bilinear\n")) ==
        dir.file("r.yaml") +
            ":2: model.rating_head: expected one of: dot, linear, separate, got \"bilinear\"");
}

TEST_CASE("config: --set errors name the override, never a line 0", "[config]") {
  CHECK(load_error("", {"model.dim=0"}) ==
        "--set model.dim=0: model.dim: expected an integer >= 1, got \"0\"");
  CHECK(load_error("", {"model.rating_head=separate"}) ==
        "--set model.rating_head=separate: train.loss: expected softmax when model.rating_head "
        "is separate (the rating towers train on the mse by themselves), got mse");
  try {
    load_run_options("", {"train.lr=fast"});
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(e.file() == "--set train.lr=fast");
    CHECK(e.line() == 0);
    CHECK(e.message() == "train.lr: expected a number > 0, got \"fast\"");
  }
}

TEST_CASE("config: anchors and aliases are refused, in files and in --set values", "[config]") {
  TempDir dir;
  // 12 levels of ten aliases each: a one-line flow list standing for 10^12 scalars.
  std::string bomb = "[&a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]";
  for (int i = 1; i < 12; ++i) {
    const std::string prev = "*a" + std::to_string(i - 1);
    bomb += ", &a" + std::to_string(i) + " [" + prev;
    for (int k = 1; k < 10; ++k) bomb += ", " + prev;
    bomb += "]";
  }
  bomb += "]";
  CHECK(load_error("", {"name=" + bomb}) ==
        "--set name=" + bomb + ": anchors and aliases are not supported");
  CHECK_THROWS_AS(load_run_options("", {"name=" + bomb}), UsageError);
  const std::string file =
      dir.write("a.yaml", "name: x\ntrain:\n  lr: 0.1\nmodel:\n  dim: 8\nbomb: " + bomb + "\n");
  CHECK(load_error(file) == dir.file("a.yaml") + ":6: anchors and aliases are not supported");
  CHECK_THROWS_AS(load_run_options(file), ConfigError);
  // A key of the same spelling is no anchor.
  CHECK(load_run_options("", {"name=a&b*c"}).name == "a&b*c");
}

TEST_CASE("config: the resolved dump loads back to the same values", "[config]") {
  TempDir dir;
  RunOptions opts = load_run_options("", {"train.lr=0.003", "name=x y", "model.dim=16"});
  const std::string text = dump_run_options(opts);
  CHECK(text.find("lr: 0.003") != std::string::npos);
  RunOptions back = load_run_options(dir.write("r.yaml", text));
  CHECK(back.train.lr == Approx(0.003));
  CHECK(back.name == "x y");
  CHECK(back.model.dim == 16);
  CHECK(dump_run_options(back) == text);
}

TEST_CASE("config: cf solver options (gibbs, item bias, ensemble) and their errors", "[config]") {
  TempDir dir;
  const RunOptions opts = load_run_options(
      dir.write("ok.yaml",
                "cf:\n  solver: gibbs\n  iterations: 30\n  burn_in: 10\n  noise_precision: 2.5\n"
                "  item_bias: true\n  bias_lambda: 0.5\n  ensemble: 3\n  thin: 4\n"));
  CHECK(opts.cf.solver == CfSolverKind::kGibbs);
  CHECK(opts.cf.iterations == 30);
  CHECK(opts.cf.burn_in == 10);
  CHECK(opts.cf.noise_precision == Approx(2.5));
  CHECK(opts.cf.item_bias);
  CHECK(opts.cf.bias_lambda == Approx(0.5));
  CHECK(opts.cf.ensemble == 3);
  CHECK(opts.cf.thin == 4);
  // Defaults: one run, no item bias, unpenalised biases.
  const RunOptions d = load_run_options("");
  CHECK((d.cf.ensemble == 1 && !d.cf.item_bias && d.cf.bias_lambda == 0 && d.cf.burn_in == 50 &&
         d.cf.noise_precision == 2));

  CHECK(load_error(dir.write("a.yaml", "cf:\n  solver: mcmc\n")) ==
        dir.file("a.yaml") +
            ":2: cf.solver: expected one of: adam, als, gibbs, wals, got \"mcmc\"");
  CHECK(load_error(dir.write("b.yaml", "cf:\n  noise_precision: 0\n")) ==
        dir.file("b.yaml") + ":2: cf.noise_precision: expected a number > 0, got \"0\"");
  CHECK(load_error(dir.write("c.yaml", "cf:\n  bias_lambda: -1\n")) ==
        dir.file("c.yaml") + ":2: cf.bias_lambda: expected a number >= 0, got \"-1\"");
  CHECK(load_error(dir.write("d.yaml", "cf:\n  ensemble: 0\n")) ==
        dir.file("d.yaml") + ":2: cf.ensemble: expected an integer in [1, 1000], got \"0\"");
  CHECK(load_error(dir.write("e.yaml", "cf:\n  burn_in: -2\n")) ==
        dir.file("e.yaml") + ":2: cf.burn_in: expected an integer >= 0, got \"-2\"");
  CHECK(load_error(dir.write("f.yaml", "cf:\n  item_bias: maybe\n"))
            .find(dir.file("f.yaml") + ":2: cf.item_bias: expected") == 0);
  // Combinations: the line of the offending key, or the --set that gave it.
  CHECK(
      load_error(dir.write("g.yaml", "cf:\n  solver: gibbs\n  iterations: 20\n  burn_in: 20\n")) ==
      dir.file("g.yaml") +
          ":4: cf.burn_in: expected a number < cf.iterations (20) with cf.solver: gibbs, got 20");
  CHECK(load_error(dir.write("h.yaml", "cf:\n  solver: gibbs\n  iterations: 20\n"),
                   {"cf.burn_in=30"}) ==
        "--set cf.burn_in=30: cf.burn_in: expected a number < cf.iterations (20) with "
        "cf.solver: gibbs, got 30");
  CHECK(load_error(dir.write(
            "k.yaml", "cf:\n  solver: gibbs\n  iterations: 20\n  burn_in: 10\n  thin: 11\n")) ==
        dir.file("k.yaml") +
            ":5: cf.thin: expected a number <= cf.iterations - cf.burn_in (10) with cf.solver: "
            "gibbs, so that a sample is kept, got 11");
  CHECK(load_error(dir.write("l.yaml", "cf:\n  thin: 0\n")) ==
        dir.file("l.yaml") + ":2: cf.thin: expected an integer >= 1, got \"0\"");
  CHECK(load_error(dir.write("i.yaml", "cf:\n  binary: true\n  solver: gibbs\n  burn_in: 1\n")) ==
        dir.file("i.yaml") +
            ":3: cf.solver: expected \"adam\" with cf.binary: true (als, gibbs and wals model "
            "squared error only), got \"gibbs\"");
  CHECK(load_error(dir.write("j.yaml", "cf:\n  item_bias: true\n")) ==
        dir.file("j.yaml") +
            ":2: cf.item_bias: expected cf.solver als or gibbs with cf.item_bias: true, got "
            "\"adam\"");
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
        "--set serve.ann.overfetch=0.5: serve.ann.overfetch: expected a number in [1, 100], got "
        "\"0.5\"");
}

TEST_CASE("config: EASE^R and WALS keys, and their bad values at file:line", "[config]") {
  TempDir dir;
  const RunOptions d = load_run_options("");
  CHECK(d.eval.ease_lambda > 0);
  CHECK(d.eval.ease_max_items == 20000);
  CHECK(d.cf.wals_target == WalsTarget::kBinary);
  const auto ok =
      dir.write("ok.yaml",
                "eval:\n  ease_lambda: 300\n  ease_max_items: 5000\ncf:\n  solver: wals\n"
                "  alpha: 0\n  unobserved_weight: 0.05\n  wals_target: rating\n");
  const RunOptions opts = load_run_options(ok);
  CHECK(opts.eval.ease_lambda == 300);
  CHECK(opts.eval.ease_max_items == 5000);
  CHECK(opts.cf.solver == CfSolverKind::kWals);
  CHECK(opts.cf.alpha == 0);
  CHECK(opts.cf.unobserved_weight == Approx(0.05));
  CHECK(opts.cf.wals_target == WalsTarget::kRating);

  CHECK(load_error(dir.write("l.yaml", "name: x\neval:\n  ease_lambda: 0\n")) ==
        dir.file("l.yaml") + ":3: eval.ease_lambda: expected a number > 0, got \"0\"");
  CHECK(load_error(dir.write("l2.yaml", "eval:\n  ease_lambda: -5\n")) ==
        dir.file("l2.yaml") + ":2: eval.ease_lambda: expected a number > 0, got \"-5\"");
  CHECK(load_error(dir.write("a.yaml", "cf:\n  solver: wals\n  alpha: -1\n")) ==
        dir.file("a.yaml") + ":3: cf.alpha: expected a number >= 0, got \"-1\"");
  CHECK(load_error(dir.write("w.yaml", "cf:\n  unobserved_weight: 0\n")) ==
        dir.file("w.yaml") + ":2: cf.unobserved_weight: expected a number > 0, got \"0\"");
  CHECK(load_error(dir.write("t.yaml", "cf:\n  wals_target: stars\n")) ==
        dir.file("t.yaml") + ":2: cf.wals_target: expected one of: binary, rating, got \"stars\"");
  CHECK(load_error(dir.write("b.yaml", "cf:\n  solver: wals\n  item_bias: true\n")) ==
        dir.file("b.yaml") +
            ":3: cf.item_bias: expected cf.solver als or gibbs with cf.item_bias: true, got "
            "\"wals\"");
}

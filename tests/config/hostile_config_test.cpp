// Hostile YAML configs: one CTest test per row, each the exact "file:line: ..." error of
// load_run_options, or for inputs accepted by policy (BOM, CRLF, quoting) the values loaded.
#include <functional>

#include "config/yaml_config.h"
#include "hostile_case.h"

// A named namespace, not an anonymous one: unity builds compile several case tables in one
// translation unit, and each table has its own kBase, ratings(), registered.
namespace towerrec::test::hostile_config {

struct ConfigCase {
  std::string name;
  std::string yaml;      // contents of c.yaml (kMakeDir: a directory)
  std::string expected;  // message prefix; empty = accepted
  std::function<void(const RunOptions&)> check;
};

ConfigCase bad(std::string name, std::string yaml, std::string expected) {
  return {std::move(name), std::move(yaml), "c.yaml:" + expected, {}};
}

// The "billion laughs" file: after a name, `levels` lines of ten aliases of the line above, so
// the last stands for 10^levels scalars.
std::string billion_laughs(int levels) {
  std::string yaml = "name: bomb\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < levels; ++i) {
    const std::string n = std::to_string(i), prev = "*a" + std::to_string(i - 1);
    yaml += "a" + n + ": &a" + n + " [" + prev;
    for (int k = 1; k < 10; ++k) yaml += ", " + prev;
    yaml += "]\n";
  }
  return yaml;
}

void run(const ConfigCase& c) {
  TempDir dir;
  write_case_files(dir, {{"c.yaml", c.yaml}});
  const std::string path = dir.file("c.yaml");
  if (c.expected.empty()) {
    c.check(load_run_options(path));
    return;
  }
  check_message(error_of([&] { load_run_options(path); }), dir.path(), c.expected);
}

const bool registered = register_rows<ConfigCase>(
    "hostile config", "[config][hostile]",
    {
        bad("empty file", "",
            "0: empty config: expected a mapping of keys (`towerrec config --keys` lists them)"),
        bad("comments only", "# all defaults?\n\n", "0: empty config: expected a mapping of keys"),
        bad("top level is a list", "- name\n- train\n",
            "1: (top level): expected a mapping of keys, got not a mapping"),
        bad("top level is a scalar", "hello\n",
            "1: (top level): expected a mapping of keys, got not a mapping"),
        bad("number of the wrong type", "train:\n  lr: fast\n",
            "2: train.lr: expected a number > 0, got \"fast\""),
        bad("integer given a fraction", "train:\n  epochs: 2.5\n",
            "2: train.epochs: expected an integer >= 1, got \"2.5\""),
        bad("integer overflowing int64", "train:\n  epochs: 99999999999999999999\n",
            "2: train.epochs: expected an integer >= 1, got \"99999999999999999999\""),
        bad("integer negative", "train:\n  epochs: -1\n",
            "2: train.epochs: expected an integer >= 1, got \"-1\""),
        bad("softmax temperature zero", "train:\n  temperature: 0\n",
            "2: train.temperature: expected a number > 0, got \"0\""),
        bad("watched items negative", "features:\n  watched_items: -1\n",
            "2: features.watched_items: expected an integer >= 0, got \"-1\""),
        bad("rating weight negative", "train:\n  rating_weight: -1\n",
            "2: train.rating_weight: expected a number >= 0, got \"-1\""),
        bad("joint loss with both weights zero",
            "train:\n  loss: joint\n  rating_weight: 0\n  softmax_weight: 0\n",
            "4: train.softmax_weight: expected a number > 0 when train.rating_weight is 0 (loss: "
            "joint), got 0"),
        bad("separate rating towers with a rating loss on the retrieval towers",
            "model:\n  rating_head: separate\ntrain:\n  loss: joint\n",
            "4: train.loss: expected softmax when model.rating_head is separate (the rating towers "
            "train on the mse by themselves), got joint"),
        bad("rating towers' out-of-fold folds negative", "features:\n  rating_out_of_fold: -1\n",
            "2: features.rating_out_of_fold: expected an integer in [0, 255], got \"-1\""),
        bad("positive threshold above the rating scale",
            "train:\n  loss: softmax\n  positive_min_rating: 6\n",
            "3: train.positive_min_rating: expected a rating in the data's scale [0.5, 5] "
            "(data.rating_min, data.rating_max), got 6"),
        bad("number NaN", "train:\n  lr: .nan\n",
            "2: train.lr: expected a number > 0, got \".nan\""),
        bad("number NaN spelled out", "train:\n  lr: nan\n",
            "2: train.lr: expected a number > 0, got \"nan\""),
        bad("number infinite", "train:\n  lr: .inf\n",
            "2: train.lr: expected a number > 0, got \".inf\""),
        bad("number beyond double range", "train:\n  lr: 1e999\n",
            "2: train.lr: expected a number > 0, got \"1e999\""),
        bad("number given a list", "train:\n  epochs: [1, 2]\n",
            "2: train.epochs: expected an integer >= 1, got a list"),
        bad("number given a mapping", "train:\n  lr: {a: 1}\n",
            "2: train.lr: expected a number > 0, got a mapping"),
        bad("boolean of the wrong type", "features:\n  demographics: maybe\n",
            "2: features.demographics: expected true or false, got \"maybe\""),
        bad("string not one of the choices", "model:\n  kind: svd\n",
            "2: model.kind: expected one of: two_tower, cf, got \"svd\""),
        bad("string with invalid UTF-8", "name: caf\xe9\n",
            "1: name: expected a string in UTF-8, got \"caf\\xe9\""),
        bad("list given a scalar", "model:\n  user_hidden: 64\n",
            "2: model.user_hidden: expected a list of integers, got \"64\""),
        bad("list with a non-integer", "model:\n  user_hidden: [64, big]\n",
            "2: model.user_hidden[1]: expected a positive integer, got \"big\""),
        bad("list with zero", "model:\n  item_hidden:\n    - 64\n    - 0\n",
            "4: model.item_hidden[1]: expected a positive integer, got \"0\""),
        bad("section given a scalar", "train: 5\n",
            "1: train: expected a mapping of keys, got a scalar"),
        bad("unknown top-level key", "name: x\ntrian:\n  lr: 1\n",
            "2: trian: expected a known key ("),
        bad("unknown nested key", "train:\n  lr: 0.1\n  learning_rate: 0.1\n",
            "3: train.learning_rate: expected a known key ("),
        bad("duplicate key", "train:\n  lr: 0.1\n  lr: 0.2\n",
            "3: train.lr: expected each key once, found it again (first at line 2)"),
        bad("duplicate section", "train:\n  lr: 0.1\nname: x\ntrain:\n  epochs: 2\n",
            "4: train: expected each key once, found it again (first at line 1)"),
        bad("duplicate top-level key", "name: a\nname: b\n",
            "2: name: expected each key once, found it again (first at line 1)"),
        bad("unterminated double quote", "name: x\ndata:\n  dir: \"/data\ntrain:\n  lr: 1\n",
            "3: invalid YAML: unterminated quoted string: the \" opened on this line is never "
            "closed"),
        bad("unterminated single quote", "name: 'it''s\ntrain:\n  lr: 1\n",
            "1: invalid YAML: unterminated quoted string: the ' opened on this line is never "
            "closed"),
        bad("unterminated flow list", "model:\n  user_hidden: [64, 32\ntrain:\n  lr: 1\n",
            "3: invalid YAML: end of sequence flow not found"),
        bad("tab indentation", "train:\n\tlr: 1\n", "2: invalid YAML: illegal map value"),
        bad("inconsistent indentation", "train:\n  lr: 1\n epochs: 2\n",
            "3: invalid YAML: end of map not found"),
        bad("truncated mid-key", "name: x\ntrain:\n  l",
            "3: train: expected a mapping of keys, got a scalar"),
        bad("10 MB single line", "train:\n  lr: " + ten_megabytes() + "\n",
            "2: train.lr: expected a number > 0, got \"" + std::string(40, '7') +
                "\"... (10485760 bytes)"),
        bad("billion laughs: 12 levels of ten aliases", billion_laughs(12),
            "2: anchors and aliases are not supported"),
        bad("an anchor", "name: x\ntrain: &t\n  lr: 0.1\n",
            "2: anchors and aliases are not supported"),
        bad("an alias of an undefined anchor", "name: *x\n",
            "1: anchors and aliases are not supported"),
        bad("split spec malformed", "name: x\ndata:\n  split: random:2:1\n",
            "3: data.split: expected random:FRACTION:SEED (FRACTION in (0,1)), temporal:N or "
            "ml100k:FOLD (u1..u5, ua, ub), got \"random:2:1\""),
        bad("rating scale upside down", "data:\n  rating_min: 5\n  rating_max: 1\n",
            "0: data.rating_max must be greater than data.rating_min"),
        {"a directory where the config was expected",
         kMakeDir,
         "cannot read {dir}/c.yaml: it is a directory, expected a file",
         {}},
        {"BOM, CRLF and quoted values (accepted)",
         "\xEF\xBB\xBFname: \"run \\\"one\\\"\"\r\ntrain:\r\n  lr: '0.5'\r\n  epochs: 3\r\n"
         "model:\r\n  user_hidden: [8, 4]\r\n",
         "",
         [](const RunOptions& opts) {
           CHECK(opts.name == "run \"one\"");
           CHECK(opts.train.lr == 0.5);
           CHECK(opts.train.epochs == 3);
           CHECK(opts.model.user_hidden == std::vector<int64_t>{8, 4});
         }},
    },
    run);

}  // namespace towerrec::test::hostile_config

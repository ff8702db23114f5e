#include "train/training_run.h"

#include <filesystem>
#include <fstream>
#include <set>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "config/yaml_config.h"
#include "data/synthetic_generator.h"
#include "eval/run_metrics_json.h"
#include "test_util.h"
#include "train/model_comparison.h"

using namespace towerrec;
using nlohmann::json;
using towerrec::test::TempDir;
namespace fs = std::filesystem;

namespace {

// A small synthetic run that trains in about a second.
RunOptions small_run(const TempDir& dir, const std::string& name) {
  return load_run_options("", {"name=" + name, "out=" + dir.file(name), "data.synthetic.users=150",
                               "data.synthetic.items=120", "data.synthetic.ratings_per_user=25",
                               "model.user_hidden=[32]", "model.item_hidden=[32]", "model.dim=8",
                               "train.epochs=3", "train.batch_size=64", "train.lr=0.003",
                               "cf.features=4", "cf.iterations=30", "cf.lr=0.05"});
}

// metrics.json's content from the typed results (what the run writes).
json metrics_of(const RunOptions& opts, const RunCallbacks& cb) {
  return run_metrics_json(run_training(opts, cb).metrics);
}

json evaluate_json(const std::string& run, const RunCallbacks& cb) {
  return run_metrics_json(evaluate_run(run, cb));
}

int count_lines(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) ++n;
  return n;
}

}  // namespace

TEST_CASE("training run: writes the run directory and eval reproduces its metrics", "[train]") {
  TempDir dir;
  const RunOptions opts = small_run(dir, "tt");
  const json m = metrics_of(opts, {});
  const std::string run = dir.file("tt");
  for (const char* f :
       {"config.yaml", "features.json", "epochs.jsonl", "model.ckpt", "metrics.json",
        "test_predictions.csv", "data/ratings.csv", "data/movies.csv", "data/users.csv"})
    CHECK(fs::exists(run + "/" + f));
  CHECK(count_lines(run + "/epochs.jsonl") == m.at("epochs_run").get<int>());
  // No temporary files are left behind.
  for (const auto& e : fs::directory_iterator(run))
    CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);

  const json saved = json::parse(test::slurp(run + "/metrics.json"));
  for (const char* key : {"test_rmse", "test_mae", "recall_at_10", "ndcg_at_10", "train_seconds",
                          "baselines", "n_test", "best_epoch"})
    CHECK(saved.contains(key));
  for (const char* b : {"global_mean", "user_mean", "item_mean", "popularity"})
    CHECK(saved.at("baselines").contains(b));
  CHECK(saved.at("test_rmse").get<double>() > 0);
  CHECK(saved.at("test_rmse").get<double>() < 2.0);

  // The resolved config loads back to the same options.
  const RunOptions back = load_run_options(run + "/config.yaml");
  CHECK(dump_run_options(back) == dump_run_options(opts));

  const json again = evaluate_json(run, {});
  CHECK(again.at("test_rmse").get<double>() ==
        Approx(saved.at("test_rmse").get<double>()).epsilon(1e-6));
  CHECK(again.at("recall_at_10").get<double>() ==
        Approx(saved.at("recall_at_10").get<double>()).epsilon(1e-6));
  for (const char* b : {"global_mean", "user_mean", "item_mean", "popularity"})
    CHECK(again.at("baselines").at(b).at("test_rmse") ==
          saved.at("baselines").at(b).at("test_rmse"));
}

TEST_CASE("training run: same seed gives identical metrics", "[train]") {
  TempDir dir;
  const json a = metrics_of(small_run(dir, "a"), {});
  const json b = metrics_of(small_run(dir, "b"), {});
  CHECK(a.at("test_rmse").get<double>() == b.at("test_rmse").get<double>());
  const json ea = json::parse(test::slurp(dir.file("a/epochs.jsonl"))
                                  .substr(0, test::slurp(dir.file("a/epochs.jsonl")).find('\n')));
  const json eb = json::parse(test::slurp(dir.file("b/epochs.jsonl"))
                                  .substr(0, test::slurp(dir.file("b/epochs.jsonl")).find('\n')));
  CHECK(ea.at("train_loss") == eb.at("train_loss"));
  CHECK(ea.at("val_loss") == eb.at("val_loss"));
}

TEST_CASE("training run: cf kind trains and evaluates through the same layout", "[train]") {
  TempDir dir;
  RunOptions opts = small_run(dir, "cf");
  opts.model.kind = ModelKind::kCf;
  const json m = metrics_of(opts, {});
  CHECK(m.at("model") == "cf");
  CHECK(fs::exists(dir.file("cf/model.cf")));
  CHECK(count_lines(dir.file("cf/epochs.jsonl")) == 30);
  const json again = evaluate_json(dir.file("cf"), {});
  CHECK(again.at("test_rmse").get<double>() ==
        Approx(m.at("test_rmse").get<double>()).epsilon(1e-6));
}

TEST_CASE("compare: table, JSON rows and report for all seven models", "[train]") {
  TempDir dir;
  const RunOptions opts = small_run(dir, "cmp");
  const ComparisonTable table = compare_models(opts, dir.file("cmp"), {});
  const json rows = table.to_json().at("rows");
  REQUIRE(rows.is_array());
  std::vector<std::string> names;
  for (const auto& r : rows) {
    names.push_back(r.at("model"));
    for (const char* k : {"test_rmse", "test_mae", "recall_at_10", "ndcg_at_10", "train_seconds",
                          "coverage_at_10", "gini_at_10", "avg_popularity_at_10", "novelty_at_10",
                          "diversity_at_10", "diversity_vectors", "note"})
      CHECK(r.contains(k));
  }
  CHECK(names == std::vector<std::string>{"two_tower", "cf", "content_regression", "global_mean",
                                          "user_mean", "item_mean", "popularity", "ease"});
  CHECK(json::parse(test::slurp(dir.file("cmp/compare.json"))) == rows);
  const std::string md = test::slurp(dir.file("cmp/compare.md"));
  CHECK(md.find("two_tower") != std::string::npos);
  const std::string html = test::slurp(dir.file("cmp/report.html"));
  // CF's cost J and its validation RMSE are on different scales: a panel each.
  CHECK(html.find("cf: training</text>") != std::string::npos);
  CHECK(html.find("cf: validation</text>") != std::string::npos);
  CHECK(html.find("Accuracy against popularity bias") != std::string::npos);
  CHECK(html.find("content_regression: rating distribution") != std::string::npos);
  CHECK(html.find("two_tower: rating distribution") != std::string::npos);
  // Both models read one generated dataset.
  CHECK(fs::exists(dir.file("cmp/data/ratings.csv")));
  CHECK(!fs::exists(dir.file("cmp/two_tower/data")));
}

TEST_CASE("training run: a missing run directory or checkpoint is a clear error", "[train]") {
  TempDir dir;
  CHECK_THROWS_WITH(evaluate_run(dir.file("nope"), {}),
                    dir.file("nope") +
                        ": not a run directory (no config.yaml; expected the output "
                        "of `towerrec train`)");
}

TEST_CASE("training run: no rating reaches train.positive_min_rating: an error before any file",
          "[train]") {
  TempDir dir;
  const std::string data = dir.file("data");
  RunOptions gen = load_run_options("", {"data.synthetic.users=40", "data.synthetic.items=30",
                                         "data.synthetic.ratings_per_user=8"});
  SyntheticGenerator(gen.data.synthetic).write(data, nullptr);
  // The scale allows 6, the data (stars up to 5) never reaches it.
  const RunOptions opts =
      load_run_options("", {"name=p", "out=" + dir.file("run"), "data.dir=" + data,
                            "data.rating_max=10", "data.synthetic.users=40",
                            "data.synthetic.items=30", "data.synthetic.ratings_per_user=8",
                            "train.loss=softmax", "train.positive_min_rating=6"});
  CHECK_THROWS_WITH(run_training(opts, {}),
                    Catch::Contains("no training rating reaches train.positive_min_rating (6); the "
                                    "highest is 5"));
  CHECK_FALSE(fs::exists(dir.file("run")));
}

TEST_CASE("training run: rating_head separate = a retrieval model and a rating model, one run",
          "[train]") {
  // The separate rating towers are the model a `loss: mse` run with out-of-fold features trains,
  // and the retrieval towers the model a `loss: softmax` run trains: the run reports the first's
  // RMSE and the second's ranking, bit for bit.
  TempDir dir;
  const auto with = [&](const std::string& name, std::vector<std::string> sets) {
    std::vector<std::string> all = {"name=" + name,
                                    "out=" + dir.file(name),
                                    "data.synthetic.users=150",
                                    "data.synthetic.items=120",
                                    "data.synthetic.ratings_per_user=25",
                                    "model.user_hidden=[32]",
                                    "model.item_hidden=[32]",
                                    "model.dim=8",
                                    "train.epochs=3",
                                    "train.batch_size=64",
                                    "train.lr=0.003",
                                    "features.watched_items=40",
                                    "features.item_ids=40",
                                    "train.temperature=0.2"};
    all.insert(all.end(), sets.begin(), sets.end());
    return load_run_options("", all);
  };
  std::set<std::string> stages;
  RunCallbacks cb;
  cb.progress = [&](const Progress& p) { stages.insert(p.stage); };
  const json sep =
      metrics_of(with("sep", {"train.loss=softmax", "model.rating_head=separate",
                              "features.out_of_fold=0", "features.rating_out_of_fold=5"}),
                 cb);
  // The rating towers report under their own name, so a progress line's rate and ETA start
  // from their epoch, not from the retrieval epoch of the same number.
  CHECK(stages.count("epoch 1/3") == 1);
  CHECK(stages.count("rating towers epoch 1/3") == 1);
  const json ret = metrics_of(with("ret", {"train.loss=softmax", "features.out_of_fold=0"}), {});
  const json mse = metrics_of(with("mse", {"train.loss=mse", "features.out_of_fold=5"}), {});
  CHECK(sep.at("test_rmse") == mse.at("test_rmse"));
  CHECK(sep.at("test_mae") == mse.at("test_mae"));
  CHECK(sep.at("recall_at_10") == ret.at("recall_at_10"));
  CHECK(sep.at("ndcg_at_10") == ret.at("ndcg_at_10"));
  CHECK(sep.at("best_epoch") == ret.at("best_epoch"));
  CHECK(sep.at("rating_towers").at("best_epoch") == mse.at("best_epoch"));
  CHECK(sep.at("rating_towers").at("epochs_run") == mse.at("epochs_run"));
  // The retrieval towers' own dot product is no rating: the rating towers are what it reports.
  CHECK(sep.at("test_rmse").get<double>() < ret.at("test_rmse").get<double>());

  const std::string run = dir.file("sep");
  CHECK(fs::exists(run + "/rating.ckpt"));
  const json again = evaluate_json(run, {});
  CHECK(again.at("test_rmse").get<double>() ==
        Approx(sep.at("test_rmse").get<double>()).epsilon(1e-6));
  CHECK(again.at("recall_at_10").get<double>() ==
        Approx(sep.at("recall_at_10").get<double>()).epsilon(1e-6));

  // Losing rating.ckpt is a clear error, not a silent fallback to the retrieval dot product.
  fs::remove(run + "/rating.ckpt");
  CHECK_THROWS_WITH(evaluate_run(run, {}),
                    run +
                        ": no rating.ckpt (model.rating_head is separate: training did not "
                        "finish the rating towers)");
}

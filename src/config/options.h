// Options structs. Field names are the YAML keys (section.key) and the --set names; in-class values
// are the defaults, and every default written here is the one documented by `towerrec config
// --print`. Each struct lists its fields once in visit(); see config/field.h. One header per
// family of sections (data_, train_, cf_, serve_options.h); this one holds the whole file.
#pragma once

#include <cstdint>
#include <string>

#include "config/cf_options.h"
#include "config/data_options.h"
#include "config/field.h"
#include "config/serve_options.h"
#include "config/train_options.h"

namespace towerrec {

// eval.*: the metrics every run reports.
struct EvalOptions {
  int64_t k = 10;
  double relevant_min = 4.0;  // a test item is relevant when rated at least this
  // EASE^R baseline (eval/ease.h). λ measured on ml-latest-small random:0.2:42
  // (scripts/eval_targets), Recall@10 / NDCG@10: 0.2033 / 0.2844 at 50, 0.2086 / 0.2926 at 100,
  // 0.2080 / 0.2972 at 200, 0.2076 / 0.2944 at 400, 0.2008 / 0.2839 at 800.
  double ease_lambda = 200;
  // Its Gram matrix is min(users, items)² doubles: 20,000 items with more users = 3.2 GB.
  int64_t ease_max_items = 20000;

  template <class V>
  void visit(V& v) {
    v.field("k", k, "cut-off for Recall@K, NDCG@K and the beyond-accuracy metrics", Check::ge(1));
    v.field("relevant_min", relevant_min, "lowest rating that makes a test item relevant");
    v.field("ease_lambda", ease_lambda,
            "L2 penalty of the EASE^R baseline (item-item weights in closed form)", Check::gt(0));
    v.field("ease_max_items", ease_max_items,
            "largest catalogue the EASE^R baseline is computed for (memory: min(users, items)^2 "
            "x 8 bytes); above it the baseline is skipped with a note",
            Check::ge(0));
  }
};
// Data-parallel training under torchrun (dist/dist_context.h): ignored in a single process.
struct DistOptions {
  double timeout_seconds = 300;  // longest wait of any collective before the rank gives up
  double bucket_mb = 4;          // gradient all-reduce bucket size (MB of float32)

  template <class V>
  void visit(V& v) {
    v.field("timeout_seconds", timeout_seconds,
            "seconds a rank waits for the others (join, all-reduce, barrier) before failing",
            Check::range(0.1, 86400));
    v.field("bucket_mb", bucket_mb, "megabytes of gradient per all-reduce call",
            Check::range(0.0001, 4096));
  }
};

// One training run: the whole YAML file.
struct RunOptions {
  std::string name = "run";
  std::string out = "";  // run directory; empty = models/<name>
  DataOptions data;
  FeatureOptions features;
  ModelOptions model;
  TrainOptions train;
  CfOptions cf;
  EvalOptions eval;
  ServeOptions serve;
  DistOptions dist;

  template <class V>
  void visit(V& v) {
    v.field("name", name, "run name");
    v.field("out", out, "run directory (empty: models/<name>)");
    v.section("data", data, "where ratings come from and how they are split");
    v.section("features", features, "feature engineering (two-tower model)");
    v.section("model", model, "model kind and tower shapes");
    v.section("train", train, "optimisation");
    v.section("cf", cf, "collaborative-filtering model (model.kind: cf)");
    v.section("eval", eval, "evaluation");
    v.section("serve", serve, "offline scoring: recommend, similar, ANN index");
    v.section("dist", dist, "distributed training under torchrun (c10d/Gloo)");
  }
};

}  // namespace towerrec

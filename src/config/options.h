// Options structs. Field names are the YAML keys (section.key) and the --set names; in-class values
// are the defaults, and every default written here is the one documented by `towerrec config
// --print`. Each struct lists its fields once in visit(); see config/field.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/field.h"
#include "config/option_enum.h"

namespace towerrec {

// Synthetic data from the planted latent model (data/synthetic_model.h,
// data/synthetic_generator.h).
struct SyntheticOptions {
  int64_t users = 2000;
  int64_t items = 1500;
  double ratings_per_user = 60;  // mean; per-user counts vary log-normally around it (min 5)
  int64_t genres = 18;
  int64_t latent_dim = 8;
  double noise = 0.35;          // Gaussian noise std in stars before rounding to half stars
  double zipf = 0.9;            // item popularity exponent
  double personal = 0.3;        // variance share of tastes/traits that features do not explain
  double genre_affinity = 0.5;  // share of a user's items picked through their genre preferences
  uint64_t seed = 7;

  template <class V>
  void visit(V& v) {
    v.field("users", users, "number of users", Check::ge(1));
    v.field("items", items, "number of items", Check::ge(1));
    v.field("ratings_per_user", ratings_per_user, "mean ratings per user", Check::gt(0));
    v.field("genres", genres, "number of genres", Check::range(1, 64));
    v.field("latent_dim", latent_dim, "dimension of the planted taste/trait vectors",
            Check::range(1, 1024));
    v.field("noise", noise, "Gaussian rating noise (stars)", Check::ge(0));
    v.field("zipf", zipf, "Zipf exponent of item popularity", Check::range(0, 5));
    v.field("personal", personal,
            "share of tastes/traits not explained by demographics/genres/year (0 = none, 1 = all)",
            Check::range(0, 1));
    v.field(
        "genre_affinity", genre_affinity,
        "share of rated items chosen by the user's genre preference instead of popularity alone",
        Check::range(0, 1));
    v.field("seed", seed, "generator seed", Check::ge(0));
  }
};

// data.format: the input format of data.dir (data/dataset_reader.h); auto detects it from the
// files present.
enum class DataFormat { kAuto, kMovielens, kMl100k, kMl1m, kContentLab, kCfLab };
template <>
struct EnumNames<DataFormat> {
  static constexpr const char* kNames[] = {"auto", "movielens",   "ml100k",
                                           "ml1m", "content_lab", "cf_lab"};
};

// data.duplicates: a (user, item) pair rated more than once (data/duplicate_ratings.h).
enum class DuplicatePolicy { kLast, kError };
template <>
struct EnumNames<DuplicatePolicy> {
  static constexpr const char* kNames[] = {"last", "error"};
};

struct DataOptions {
  std::string dir;  // dataset directory; empty = generate the synthetic default into the run
  DataFormat format = DataFormat::kAuto;  // detected from the files present unless set
  std::string split = "random:0.2:42";    // see data/split.h for the grammar
  double rating_min = 0.5;
  double rating_max = 5.0;
  // Duplicate (user, item) pairs: keep the last by timestamp, or fail.
  DuplicatePolicy duplicates = DuplicatePolicy::kLast;
  SyntheticOptions synthetic;

  template <class V>
  void visit(V& v) {
    v.field("dir", dir, "dataset directory (empty: generate the synthetic default)");
    v.field("format", format, "input format");
    v.field("split", split,
            "train/test split: random:FRACTION:SEED | temporal:N | ml100k:u1..u5,ua,ub");
    v.field("rating_min", rating_min, "lowest valid rating");
    v.field("rating_max", rating_max, "highest valid rating");
    v.field("duplicates", duplicates, "duplicate (user, item) ratings");
    v.section("synthetic", synthetic, "synthetic generator (used when dir is empty)");
  }
};

struct FeatureOptions {
  double shrinkage = 10;     // item average rating shrunk toward the global mean with this weight
  bool demographics = true;  // use user demographics when the data has them
  bool genre_counts = true;  // per-genre rating counts next to per-genre averages
  int64_t max_categories =
      64;  // categorical demographics with more categories are left out (zip codes)
  int64_t out_of_fold = 5;    // training rows see features without their own fold (0 = off)
  int64_t watched_items = 0;  // user feature: bag of which of the N most-rated items they rated
  int64_t item_ids = 0;       // item feature: a learned id embedding for the N most-rated items
  int64_t rating_out_of_fold = 5;  // model.rating_head separate: the rating towers' out_of_fold

  template <class V>
  void visit(V& v) {
    v.field("shrinkage", shrinkage,
            "prior weight (ratings) pulling item averages to the global mean", Check::ge(0));
    v.field("demographics", demographics, "use user demographics when present");
    v.field("genre_counts", genre_counts, "add per-genre log rating counts to user features");
    v.field("max_categories", max_categories,
            "leave out categorical demographics with more categories than this", Check::ge(1));
    v.field("out_of_fold", out_of_fold,
            "folds for out-of-fold training features: a training rating never sees features that "
            "contain itself (features/out_of_fold.h); 0 = off",
            Check::range(0, 255));
    v.field("watched_items", watched_items,
            "user feature: the bag of which of the N most-rated training items the user rated "
            "(sparse: an embedding-bag sum in the user tower's first layer, each entry weighted "
            "1/sqrt(bag size)); 0 = off",
            Check::ge(0));
    v.field("item_ids", item_ids,
            "item feature: a learned embedding of the item's own id for the N most-rated training "
            "items (the item tower's first layer; rarer and new items rely on content features "
            "alone); 0 = off",
            Check::ge(0));
    v.field("rating_out_of_fold", rating_out_of_fold,
            "model.rating_head separate: out_of_fold for the rating towers' training features "
            "(the retrieval towers use out_of_fold); 0 = off",
            Check::range(0, 255));
  }
};

// model.kind: which model a run trains (train/model_kind_adapter.h).
enum class ModelKind { kTwoTower, kCf };
template <>
struct EnumNames<ModelKind> {
  static constexpr const char* kNames[] = {"two_tower", "cf"};
};

// model.rating_head (ModelOptions::rating_head documents each).
enum class RatingHeadKind { kDot, kLinear, kSeparate };
template <>
struct EnumNames<RatingHeadKind> {
  static constexpr const char* kNames[] = {"dot", "linear", "separate"};
};

// train.loss (TrainOptions::loss documents each).
enum class TrainLoss { kMse, kSoftmax, kJoint };
template <>
struct EnumNames<TrainLoss> {
  static constexpr const char* kNames[] = {"mse", "softmax", "joint"};
};

// train.early_stopping: what early stopping watches.
enum class EarlyStopping { kLoss, kRecall };
template <>
struct EnumNames<EarlyStopping> {
  static constexpr const char* kNames[] = {"loss", "recall"};
};

struct ModelOptions {
  ModelKind kind = ModelKind::kTwoTower;
  std::vector<int64_t> user_hidden = {256, 128};
  std::vector<int64_t> item_hidden = {256, 128};
  int64_t dim = 32;
  // How a (user, item) pair's rating is predicted from the two tower outputs u and v:
  //   "dot"     dot(u, v), the course lab's model;
  //   "linear"  a * dot(u, v) + b + p.u + q.v with learned a, b, p, q (a calibration head of its
  //             own: the ranking loss shapes dot(u, v), the rating loss mostly the head);
  //   "separate" a second pair of towers (same shapes and inputs), the rating model, trained by the
  //             MSE alone on out-of-fold features (features.rating_out_of_fold) after the
  //             retrieval towers (train.loss softmax); rating = dot of the rating towers' outputs.
  //             The two objectives want different features (out-of-fold dense features cost the
  //             softmax recall, their absence costs the MSE its honesty) and pull one dot product
  //             apart; two models need not share either (README "Ranking" has the measurements).
  RatingHeadKind rating_head = RatingHeadKind::kDot;

  template <class V>
  void visit(V& v) {
    v.field("kind", kind, "model kind");
    v.field("user_hidden", user_hidden, "user tower hidden layer sizes");
    v.field("item_hidden", item_hidden, "item tower hidden layer sizes");
    v.field("dim", dim, "output dimension of both towers", Check::ge(1));
    v.field("rating_head", rating_head,
            "rating prediction from the tower outputs u, v: dot = u.v; linear = a u.v + b + p.u + "
            "q.v (learned); separate = the dot of a second pair of towers trained by the mse alone "
            "on out-of-fold features (features.rating_out_of_fold), needs train.loss softmax");
  }
};

struct TrainOptions {
  double lr = 0.001;
  double weight_decay = 0;
  int64_t batch_size = 256;
  int64_t epochs = 30;
  int64_t patience = 3;              // early stopping: epochs without validation improvement
  double validation_fraction = 0.1;  // part of the training split held out for early stopping
  uint64_t seed = 42;
  int64_t threads = 1;  // torch intra-op threads; 1 measured fastest on 2 cores
  // What the towers are trained for (train/two_tower_loss.h):
  //   "mse"      (dot or rating head - scaled rating)^2 over every training rating, the course lab;
  //   "softmax"  in-batch sampled softmax over positive pairs (retrieval), logQ-corrected;
  //   "joint"    rating_weight * mse + softmax_weight * softmax.
  TrainLoss loss = TrainLoss::kMse;
  double rating_weight = 1.0;
  double softmax_weight = 1.0;
  double temperature = 0.1;          // softmax logits = dot(u, v) / temperature
  double positive_min_rating = 4.0;  // a training rating >= this is a positive pair for softmax
  int64_t extra_negatives = 0;       // uniformly sampled catalogue items added to every batch
  EarlyStopping early_stopping = EarlyStopping::kLoss;  // loss: validation loss; recall: Recall@K
  // Weight averaging: validation, checkpoints and the kept model use an exponential moving average
  // of the weights over steps (e <- d e + (1 - d) w after every step) instead of the last step's
  // weights; it steadies the epoch-to-epoch swing early stopping picks from. 0 = off.
  double ema_decay = 0;

  template <class V>
  void visit(V& v) {
    v.field("lr", lr, "Adam learning rate", Check::gt(0));
    v.field("weight_decay", weight_decay, "Adam weight decay", Check::ge(0));
    v.field("batch_size", batch_size, "rows per step", Check::ge(1));
    v.field("epochs", epochs, "maximum epochs", Check::ge(1));
    v.field("patience", patience, "early stopping patience in epochs (0 = off)", Check::ge(0));
    v.field("validation_fraction", validation_fraction,
            "fraction of the training split used for validation", Check::range(0, 0.9));
    v.field("seed", seed, "seed for initialisation, shuffling and validation split", Check::ge(0));
    v.field("threads", threads, "torch intra-op threads", Check::ge(1));
    v.field("loss", loss,
            "mse: rating regression (the course lab); softmax: in-batch sampled softmax over "
            "positive pairs with logQ correction (retrieval); joint: rating_weight * mse + "
            "softmax_weight * softmax");
    v.field("rating_weight", rating_weight, "weight of the rating (mse) loss in loss: joint",
            Check::ge(0));
    v.field("softmax_weight", softmax_weight, "weight of the softmax loss in loss: joint",
            Check::ge(0));
    v.field("temperature", temperature, "softmax temperature: logits = u.v / temperature",
            Check::gt(0));
    v.field("positive_min_rating", positive_min_rating,
            "lowest training rating that makes a positive pair for the softmax loss", Check::any());
    v.field("extra_negatives", extra_negatives,
            "uniformly sampled catalogue items added as negatives to every softmax batch (mixed "
            "negative sampling)",
            Check::ge(0));
    v.field("early_stopping", early_stopping,
            "what early stopping watches: loss (validation loss) or recall (validation "
            "Recall@eval.k, scored over the catalogue every epoch)");
    v.field("ema_decay", ema_decay,
            "decay of the moving average of the weights that validation, checkpoints and the "
            "kept model use (0 = off: the last step's weights)",
            Check::range(0, 0.9999));
  }
};

// cf.solver (CfOptions::solver documents each; cf/cf_solver.h builds one per name).
enum class CfSolverKind { kAdam, kAls, kGibbs, kWals };
template <>
struct EnumNames<CfSolverKind> {
  static constexpr const char* kNames[] = {"adam", "als", "gibbs", "wals"};
};

// cf.regularization: the lab's plain L2 penalty, or per_rating (ALS-WR: times the rating count).
enum class CfRegularization { kPlain, kPerRating };
template <>
struct EnumNames<CfRegularization> {
  static constexpr const char* kNames[] = {"plain", "per_rating"};
};

// cf.wals_target: what a rated cell is fitted to by solver wals, 1 or its rating.
enum class WalsTarget { kBinary, kRating };
template <>
struct EnumNames<WalsTarget> {
  static constexpr const char* kNames[] = {"binary", "rating"};
};

// cf.item_features: X learned with W and b, or the items' content features (ridge per user).
enum class CfItemFeatures { kLearned, kContent };
template <>
struct EnumNames<CfItemFeatures> {
  static constexpr const char* kNames[] = {"learned", "content"};
};

struct CfOptions {
  int64_t features = 100;
  double lambda = 1.0;
  double lr = 0.1;
  int64_t iterations = 200;
  bool mean_normalize = true;
  // adam (autograd), als (closed-form alternating solves), gibbs (BPMF: the same solves, sampled;
  // cf/gibbs_sampler.h) or wals (implicit ALS over every cell; cf/wals_solver.h)
  CfSolverKind solver = CfSolverKind::kAdam;
  CfRegularization regularization = CfRegularization::kPlain;  // plain (the lab) or per_rating
  bool binary = false;  // like/click variant: sigmoid + binary cross-entropy
  double binary_threshold = 4.0;
  double init_std = 1.0;  // the lab draws W, X, b from N(0, 1)
  uint64_t seed = 1234;
  bool item_bias = false;      // learn a per-item bias c_i on top of μ_i (als, gibbs)
  double bias_lambda = 0;      // L2 penalty (gibbs: prior precision) of b_u and c_i; 0 = none
  int64_t burn_in = 50;        // gibbs: sweeps discarded before averaging (< iterations)
  double noise_precision = 2;  // gibbs: α, the precision of the rating noise (1/stars²)
  int64_t thin = 1;            // gibbs: keep every thin-th sweep after burn_in
  int64_t ensemble = 1;        // runs with seeds seed, seed+1, ... whose predictions are averaged
  // wals (implicit weighted ALS over every cell, cf/wals_solver.h): rated cells weigh
  // 1 + alpha × rating, unrated cells unobserved_weight and target 0.
  double alpha = 1.0;
  double unobserved_weight = 0.1;
  WalsTarget wals_target = WalsTarget::kBinary;  // what a rated cell is fitted to: 1, or its rating
  // learned (W, b and X fitted) or content (X = item tower columns; cf/content_regression.h)
  CfItemFeatures item_features = CfItemFeatures::kLearned;

  template <class V>
  void visit(V& v) {
    v.field("features", features, "latent features per user and item", Check::ge(1));
    v.field("lambda", lambda, "L2 regularisation", Check::ge(0));
    v.field("lr", lr, "Adam learning rate", Check::gt(0));
    v.field("iterations", iterations, "full-batch iterations (ALS: sweeps)", Check::ge(1));
    v.field("mean_normalize", mean_normalize, "subtract each item's mean rating");
    v.field("solver", solver,
            "optimiser: adam, als (alternating ridge solves), gibbs (Bayesian PMF: sampled solves, "
            "predictions averaged over the samples after cf.burn_in), wals (implicit weighted ALS "
            "over every user x item cell, for top-N: unrated cells are zeros of weight "
            "cf.unobserved_weight)");
    v.field("regularization", regularization,
            "plain: lambda/2 (sum W^2 + sum X^2) as in the lab; per_rating: each user's and item's "
            "penalty times its number of training ratings (ALS-WR)");
    v.field("binary", binary, "binary like/click variant (sigmoid, cross-entropy)");
    v.field("binary_threshold", binary_threshold,
            "rating >= threshold counts as a like (ratings that are all 0/1 are labels already)");
    v.field("init_std", init_std, "std of the normal initialisation of W, X, b", Check::gt(0));
    v.field("seed", seed, "initialisation seed", Check::ge(0));
    v.field("item_bias", item_bias,
            "learn a per-item bias on top of the item offset (solvers als and gibbs)");
    v.field("bias_lambda", bias_lambda,
            "L2 penalty of the user and item biases (gibbs: their prior precision); 0 = none",
            Check::ge(0));
    v.field("burn_in", burn_in,
            "gibbs: sweeps discarded before the samples are averaged (less than cf.iterations)",
            Check::ge(0));
    v.field("noise_precision", noise_precision,
            "gibbs: precision of the rating noise, 1 / (its std in stars)^2", Check::gt(0));
    v.field("thin", thin,
            "gibbs: keep every thin-th sweep after cf.burn_in (the model stores features x kept "
            "samples columns; consecutive samples are alike)",
            Check::ge(1));
    v.field("ensemble", ensemble,
            "independent runs (seeds seed, seed+1, ...) whose predictions are averaged",
            Check::range(1, 1000));
    v.field(
        "alpha", alpha,
        "wals: a rated cell's confidence is 1 + alpha x rating (its weight in the squared error)",
        Check::ge(0));
    v.field("unobserved_weight", unobserved_weight, "wals: weight of every unrated cell (target 0)",
            Check::gt(0));
    v.field("wals_target", wals_target, "wals: a rated cell's target: binary (1) or rating");
    v.field("item_features", item_features,
            "learned: X is fitted with W and b; content: X is the items' content features (the "
            "item tower's columns, scaled) and only each user's w, b are fitted by ridge "
            "regression (the course's per-user linear regression; cf.features and cf.solver are "
            "then unused)");
  }
};

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

// Approximate nearest-neighbour index over item vectors (serve/ann_index.h, hnswlib HNSW graph in
// inner-product space, one node per distinct vector). Larger m / ef_construction: better recall,
// slower build, more memory; larger ef_search: better recall, slower queries.
// Defaults measured on the 1M-item synthetic catalogue (339k distinct trained vectors, dim 32,
// scripts/bench_score --pipeline, docs/ann.md): ef_construction 100 -> 200 lifts recall@10 at
// ef_search 64 from 0.92 to 0.95; m 32 gives the same recall for 30% more memory; ef_search 96
// gives recall@10 0.975 at 13.8x the exact top-10 throughput (64: 0.959 at 16.4x, 128: 0.983 at
// 12.6x).
struct AnnOptions {
  int64_t m = 16;                 // graph links per node (hnswlib M); memory ~ n * (dim + 2m) * 4 B
  int64_t ef_construction = 200;  // candidate list size while building
  int64_t ef_search = 96;         // candidate list size while searching (raised to k when smaller)
  int64_t threads = 1;            // build threads (queries parallelise over the caller's threads)
  double overfetch =
      2.0;              // with exclusions, fetch k * overfetch + excluded candidates, then filter
  uint64_t seed = 100;  // level-assignment seed (hnswlib random_seed)

  template <class V>
  void visit(V& v) {
    v.field("m", m, "HNSW links per node (hnswlib M)", Check::range(2, 256));
    v.field("ef_construction", ef_construction, "HNSW candidate list size while building",
            Check::ge(1));
    v.field("ef_search", ef_search, "HNSW candidate list size while searching", Check::ge(1));
    v.field("threads", threads, "threads used to build the index", Check::ge(1));
    v.field("overfetch", overfetch, "candidates fetched per wanted result when filtering",
            Check::range(1, 100));
    v.field("seed", seed, "HNSW level-assignment seed", Check::ge(0));
  }
};

// serve.retrieval.neighbors: where the nearest items of seed items come from (the ANN index or
// exact search by L2 distance; serve/item_search_factory.h).
enum class NeighborSource { kAnn, kExact };
template <>
struct EnumNames<NeighborSource> {
  static constexpr const char* kNames[] = {"ann", "exact"};
};

// Retrieval + ranking (`towerrec recommend --retrieval`, serve/retrieval.h): candidates from the
// course's generators and/or the ANN index, merged, deduplicated, seen and excluded items removed,
// then ranked by the towers' dot product. A generator with count 0 is off.
struct RetrievalOptions {
  int64_t last_n = 10;      // the user's last N rated training items (latest timestamp first)...
  int64_t per_item_m = 20;  // ...each contributing its M nearest items (by vector)
  NeighborSource neighbors = NeighborSource::kAnn;  // where those nearest items come from
  int64_t top_genres = 2;        // the user's most-rated genres (training ratings)...
  int64_t genre_top = 30;        // ...each contributing its most popular items
  int64_t popular = 30;          // most popular items overall (training rating count)
  int64_t segment_popular = 30;  // most popular items among users of the same segment
  std::string segment = "auto";  // demographic column defining segments ("auto": first categorical)
  bool ann = true;               // add the user vector's nearest items from the ANN index
  int64_t ann_candidates = 100;  // how many (hnswlib k; ef_search is raised to at least this)
  int64_t recall_users = 1000;   // users (evenly spaced) scored exactly too for recall@K; 0 = all

  template <class V>
  void visit(V& v) {
    v.field("last_n", last_n, "recent training items per user used as seeds (0 = off)",
            Check::ge(0));
    v.field("per_item_m", per_item_m, "nearest items per seed item", Check::ge(0));
    v.field("neighbors", neighbors,
            "nearest items of seed items from the ANN index or exact search");
    v.field("top_genres", top_genres, "most-rated genres per user (0 = off)", Check::ge(0));
    v.field("genre_top", genre_top, "most popular items per genre", Check::ge(0));
    v.field("popular", popular, "most popular items overall (0 = off)", Check::ge(0));
    v.field("segment_popular", segment_popular,
            "most popular items in the user's demographic segment (0 = off)", Check::ge(0));
    v.field("segment", segment,
            "categorical demographic column defining segments (auto: the first categorical one)");
    v.field("ann", ann, "add ANN-index candidates for the user vector");
    v.field("ann_candidates", ann_candidates, "ANN candidates per user", Check::ge(1));
    v.field("recall_users", recall_users,
            "users also scored exactly to report retrieval recall@K (0 = all)", Check::ge(0));
  }
};

// Offline scoring of whole catalogues: `embed`, `recommend`, `similar` (serve/exact_topk.h).
struct ServeOptions {
  int64_t k = 10;             // recommendations / related items per row
  int64_t threads = 1;        // scoring threads over query blocks
  int64_t query_block = 256;  // queries per GEMM block (fixes the work split, not the results)
  int64_t item_chunk = 1024;  // items per GEMM chunk; query_block * item_chunk floats ~ L2 size
  bool exclude_seen = true;   // never recommend items the user rated in training
  AnnOptions ann;
  RetrievalOptions retrieval;

  template <class V>
  void visit(V& v) {
    v.field("k", k, "results per user or item", Check::ge(1));
    v.field("threads", threads, "scoring threads", Check::ge(1));
    v.field("query_block", query_block, "queries per scoring block", Check::range(1, 65536));
    v.field("item_chunk", item_chunk, "items per scoring chunk", Check::range(16, 1048576));
    v.field("exclude_seen", exclude_seen, "skip items the user rated in training");
    v.section("ann", ann, "approximate nearest-neighbour index (hnswlib)");
    v.section("retrieval", retrieval, "retrieval + ranking (recommend --retrieval)");
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

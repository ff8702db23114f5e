#include "train/training_run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cf/cf_model.h"
#include "cf/cf_trainer.h"
#include "cf/content_regression.h"
#include "config/yaml_config.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "data/split.h"
#include "dist/dist_context.h"
#include "eval/baselines.h"
#include "eval/binary_metrics.h"
#include "eval/comparison.h"
#include "eval/ranking_eval.h"
#include "features/features.h"
#include "features/out_of_fold.h"
#include "model/two_tower_model.h"
#include "run/run_directory.h"
#include "run/run_fingerprint.h"
#include "run/run_inputs.h"
#include "run/run_resume.h"
#include "train/threads.h"
#include "train/train_state.h"
#include "train/two_tower_trainer.h"

namespace towerrec {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// Folds of the watched-items bag when features.out_of_fold is 0.
constexpr int64_t kBagFolds = 5;

void log(const RunCallbacks& cb, const std::string& msg) {
  if (cb.log) cb.log(msg);
}

// Lab rows are their own user and item entities (features per training row).
TrainPairs make_pairs(const RunInputs& in, const std::vector<uint32_t>& rows) {
  TrainPairs p;
  p.user.reserve(rows.size());
  p.item.reserve(rows.size());
  p.target.reserve(rows.size());
  for (uint32_t r : rows) {
    p.user.push_back(in.lab_mode() ? static_cast<int32_t>(r) : in.data.ratings.user[r]);
    p.item.push_back(in.lab_mode() ? static_cast<int32_t>(r) : in.data.ratings.item[r]);
    p.target.push_back(in.features.target.scale(in.data.ratings.value[r]));
  }
  return p;
}

// Ranks users against the whole catalogue by dot products of precomputed tower outputs (users with
// their watched-items bags, items with their id bags), with the blocked GEMM top-K kernel that
// `recommend` uses.
BlockRanker tower_ranker(const TwoTowerModel& model, const Features& f) {
  auto users = std::make_shared<std::vector<float>>(model.embed_users(
      f.user.data.data(), f.user.rows, f.user_bag.empty() ? nullptr : &f.user_bag));
  auto items = std::make_shared<std::vector<float>>(model.embed_items(
      f.item.data.data(), f.item.rows, f.item_bag.empty() ? nullptr : &f.item_bag));
  return rank_by_vectors(users, items, model.dim(), torch_threads());
}

std::string metric_at_k(const char* base, int64_t k) {
  return std::string(base) + std::to_string(k);
}

// Test predictions of a trained model, in stars (two-tower: the dot product mapped back from [-1,
// 1]).
struct ModelOutput {
  std::string name;
  std::vector<float> test_stars;  // parallel to split.test; empty for binary models
  BlockRanker ranker;             // empty: no ranking metrics
  double train_seconds = NAN;
  json extra = json::object();  // model-specific figures (test_mse_scaled, auc, log_loss, ...)
  ItemVectors vectors;          // for intra-list diversity; empty: genres
};

// `rating` (model.rating_head separate): the rating towers that predict the ratings; null: the
// model's own head.
ModelOutput two_tower_output(const RunInputs& in, const TwoTowerModel& model,
                             const TwoTowerModel* rating) {
  ModelOutput out;
  out.name = "two_tower";
  const TrainPairs test = make_pairs(in, in.split.test);
  const std::vector<float> scaled =
      predict_two_tower(rating ? *rating : model, in.features.user, in.features.item, test.user,
                        test.item, in.features.user_bag.empty() ? nullptr : &in.features.user_bag,
                        in.features.item_bag.empty() ? nullptr : &in.features.item_bag);
  out.test_stars.resize(scaled.size());
  double mse_scaled = 0;
  for (size_t k = 0; k < scaled.size(); ++k) {
    // A rating head is not bounded like the dot product: predictions outside the rating scale are
    // clipped to it (never further from the truth).
    out.test_stars[k] = std::clamp(in.features.target.unscale(scaled[k]),
                                   static_cast<float>(in.features.target.min),
                                   static_cast<float>(in.features.target.max));
    const double e = scaled[k] - test.target[k];
    mse_scaled += e * e;
  }
  out.extra["test_mse_scaled"] =
      mse_scaled / static_cast<double>(std::max<size_t>(1, scaled.size()));
  // Ranking needs users and items as entities; lab rows are not, so the lab reports errors only.
  if (!in.lab_mode()) {
    out.ranker = tower_ranker(model, in.features);
    out.vectors = {
        "item vectors", model.dim(),
        model.embed_items(in.features.item.data.data(), in.features.item.rows,
                          in.features.item_bag.empty() ? nullptr : &in.features.item_bag)};
  }
  return out;
}

BlockScorer cf_scorer(std::shared_ptr<const CfModel> model) {
  return [model](const std::vector<int32_t>& block, float* out) {
    const int64_t n = model->num_items();
    for (size_t b = 0; b < block.size(); ++b) {
      const std::vector<float> s = model->scores(block[b]);
      std::copy(s.begin(), s.end(), out + static_cast<int64_t>(b) * n);
    }
  };
}

ModelOutput cf_output(const RunInputs& in, std::shared_ptr<const CfModel> model) {
  ModelOutput out;
  out.name = model->options().item_features == "content" ? "content_regression" : "cf";
  std::vector<int32_t> users, items;
  std::vector<float> truth;
  for (uint32_t r : in.split.test) {
    users.push_back(in.data.ratings.user[r]);
    items.push_back(in.data.ratings.item[r]);
    truth.push_back(in.data.ratings.value[r]);
  }
  std::vector<float> pred = model->predict(users, items);
  if (model->binary()) {
    const std::vector<float> labels = cf_labels(truth, model->options().binary_threshold);
    out.extra["test_auc"] = auc(labels, pred);
    out.extra["test_log_loss"] = log_loss(labels, pred);
  } else if (model->predicts_stars()) {
    out.test_stars = std::move(pred);
  }
  out.ranker = rank_by_scores(cf_scorer(model), static_cast<int32_t>(model->num_items()));
  out.vectors = {"item vectors", model->features(), model->item_features()};
  return out;
}

json json_or_null(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

// The model's ranking metrics with the users sharded over the ranks: each rank ranks the catalogue
// for the users of its contiguous 1/W (their test rows only), and the per-user sums are
// all-reduced.
RankingMetrics sharded_ranking(const RunOptions& opts, const RunInputs& in,
                               const BlockRanker& ranker, const ItemVectors& vectors,
                               DistContext& ranks, const ProgressFn& progress,
                               const std::vector<uint32_t>& train_rows,
                               const std::vector<uint32_t>& test_rows) {
  const int64_t n_users = in.data.num_users();
  const int64_t u0 = ranks.shard_begin(n_users), u1 = ranks.shard_end(n_users);
  std::vector<uint32_t> mine;
  for (uint32_t r : test_rows) {
    const int32_t u = in.data.ratings.user[r];
    if (u >= u0 && u < u1) mine.push_back(r);
  }
  RankingMetrics rk = evaluate_ranking(in.data, train_rows, mine, ranker, opts.eval, progress, 8192,
                                       vectors.empty() ? nullptr : &vectors);
  double sums[4] = {rk.users > 0 ? rk.recall * static_cast<double>(rk.users) : 0.0,
                    rk.users > 0 ? rk.ndcg * static_cast<double>(rk.users) : 0.0,
                    static_cast<double>(rk.users), static_cast<double>(rk.users_skipped)};
  ranks.all_reduce_sum(sums, 4);
  RankingMetrics out;
  out.k = rk.k;
  out.users = static_cast<int64_t>(std::llround(sums[2]));
  out.users_skipped = static_cast<int64_t>(std::llround(sums[3]));
  out.recall = out.users > 0 ? sums[0] / sums[2] : NAN;
  out.ndcg = out.users > 0 ? sums[1] / sums[2] : NAN;
  std::vector<double> tally = rk.tally.flat();
  ranks.all_reduce_sum(tally.data(), static_cast<int64_t>(tally.size()));
  out.tally = rk.tally;
  out.tally.from_flat(tally);
  out.beyond = out.tally.finish();
  return out;
}

// Test metrics of a trained model beside the baselines, as metrics.json holds them. Distributed,
// the model's ranking metrics are computed in user shards on every rank; the rest (rating metrics,
// baselines) on rank 0, and the other ranks return null.
json evaluate_with_baselines(const RunOptions& opts, const RunInputs& in, const ModelOutput& output,
                             const RunCallbacks& cb, DistContext& ranks) {
  RankingMetrics ranking;
  ComparisonTable table;
  table.k = opts.eval.k;
  table.relevant_min = opts.eval.relevant_min;
  const std::optional<double> train_seconds = std::isnan(output.train_seconds)
                                                  ? std::optional<double>()
                                                  : std::optional<double>(output.train_seconds);
  if (output.ranker) {
    ranking = ranks.distributed()
                  ? sharded_ranking(opts, in, output.ranker, output.vectors, ranks, cb.progress,
                                    in.split.train, in.split.test)
                  : evaluate_ranking(in.data, in.split.train, in.split.test, output.ranker,
                                     opts.eval, cb.progress, 8192,
                                     output.vectors.empty() ? nullptr : &output.vectors);
  }
  if (!ranks.is_root()) return json();
  ComparisonRow row = evaluate_model(output.name, in.data, in.split.train, in.split.test,
                                     output.test_stars, nullptr, opts.eval, train_seconds);
  set_ranking(row, ranking);
  table.rows.push_back(row);
  RankingMetrics base_ranking;
  for (auto& row : evaluate_baselines(in.data, in.split.train, in.split.test, opts.eval,
                                      &base_ranking, cb.progress))
    table.rows.push_back(row);
  const RankingMetrics& counts = output.ranker ? ranking : base_ranking;
  table.ranking_users = counts.users;
  table.ranking_users_skipped = counts.users_skipped;

  const ComparisonRow& mine = table.rows.front();
  json m;
  m["model"] = output.name;
  m["test_rmse"] = json_or_null(mine.test_rmse);
  m["test_mae"] = json_or_null(mine.test_mae);
  m[metric_at_k("recall_at_", opts.eval.k)] = json_or_null(mine.recall_at_k);
  m[metric_at_k("ndcg_at_", opts.eval.k)] = json_or_null(mine.ndcg_at_k);
  for (auto it = output.extra.begin(); it != output.extra.end(); ++it) m[it.key()] = it.value();
  if (!std::isnan(output.train_seconds)) m["train_seconds"] = output.train_seconds;
  m["split"] = opts.data.split;
  m["n_train"] = in.fit_rows.size();
  m["n_validation"] = in.val_rows.size();
  m["n_test"] = in.split.test.size();
  json baselines = json::object();
  for (size_t r = 1; r < table.rows.size(); ++r) {
    json b = table.rows[r].to_json(opts.eval.k);
    b.erase("model");
    baselines[table.rows[r].model] = std::move(b);
  }
  m["baselines"] = baselines;
  m["comparison"] = table.to_json();
  return m;
}

// test_predictions.csv: the model's prediction beside every test rating (report histograms use it).
void write_predictions(const std::string& path, const RunInputs& in, const ModelOutput& output) {
  if (output.test_stars.empty()) return;
  AtomicFile f(path);
  f.stream() << "user_id,item_id,rating,prediction\n";
  for (size_t k = 0; k < in.split.test.size(); ++k) {
    const uint32_t r = in.split.test[k];
    f.stream() << in.data.users.id(in.data.ratings.user[r]) << ','
               << in.data.items.id(in.data.ratings.item[r]) << ',' << in.data.ratings.value[r]
               << ',' << output.test_stars[k] << '\n';
  }
  f.commit();
}

Ratings ratings_at(const Dataset& data, const std::vector<uint32_t>& rows) {
  return data.ratings.subset(rows);
}

std::string jsonl(const std::vector<EpochMetrics>& history) {
  std::ostringstream s;
  for (const auto& e : history) {
    json j = {{"epoch", e.epoch},
              {"train_loss", e.train_loss},
              {"val_loss", std::isnan(e.val_loss) ? json(nullptr) : json(e.val_loss)},
              {"seconds", e.seconds},
              {"rows_per_sec", e.rows_per_sec}};
    if (!std::isnan(e.val_recall)) j["val_recall"] = e.val_recall;
    s << j.dump() << "\n";
  }
  return s.str();
}

// Points the pairs of rating rows `rows` at their fold's block of `oof` (fold_of: by rating row).
void use_out_of_fold(const OutOfFoldFeatures& oof, const std::vector<uint8_t>& fold_of,
                     const std::vector<uint32_t>& rows, TrainPairs& pairs) {
  for (size_t k = 0; k < rows.size(); ++k) {
    const int64_t fold = fold_of[rows[k]];
    pairs.user[k] = oof.user_row(pairs.user[k], fold);
    pairs.item[k] = oof.item_row(pairs.item[k], fold);
  }
}

// Only rank 0 of a distributed run writes files and evaluates; the other ranks return an empty
// output. With `resume` training continues after the state's epoch (every rank read the state).
// What one training of the towers reads: pairs pointing into the feature matrices (out-of-fold
// blocks or the full split's) and the bags. Filled in place (the pointers may point into `oof`).
struct TrainingView {
  TrainPairs train;
  TrainPairs val;
  OutOfFoldFeatures oof;
  const FeatureMatrix* user_x = nullptr;
  const FeatureMatrix* item_x = nullptr;
  TrainExtras extras;  // bags, item_key, num_items, positive_min
};

// `dense_folds` > 0: training and validation rows see out-of-fold dense features
// (features/out_of_fold.h); the model is evaluated and served with the full training split's
// features either way.
void fill_training_view(TrainingView& v, const RunOptions& opts, const RunInputs& in,
                        int64_t dense_folds, const RunCallbacks& cb) {
  v.train = make_pairs(in, in.fit_rows);
  v.val = make_pairs(in, in.val_rows);
  v.user_x = &in.features.user;
  v.item_x = &in.features.item;
  // The watched-items bag is out-of-fold even when the dense features are not (a pair that saw
  // its own item in the bag would learn to copy the bag).
  const bool dense_oof = dense_folds > 0;
  OutOfFoldFeatures& oof = v.oof;
  if (!in.lab_mode() && (dense_oof || !in.features.user_bag.empty())) {
    oof = build_out_of_fold(in.data, in.split.train, in.features, opts.features,
                            dense_oof ? dense_folds : kBagFolds, opts.train.seed, dense_oof);
    std::vector<uint8_t> fold_of(in.data.ratings.size(), 0);
    for (size_t i = 0; i < in.split.train.size(); ++i) fold_of[in.split.train[i]] = oof.fold[i];
    use_out_of_fold(oof, fold_of, in.fit_rows, v.train);
    use_out_of_fold(oof, fold_of, in.val_rows, v.val);
    v.user_x = &oof.user;
    v.item_x = &oof.item;
    log(cb, std::string("out-of-fold ") + (dense_oof ? "features" : "watched-items bags") + ": " +
                std::to_string(oof.folds) + " folds");
  }
  TrainExtras& extras = v.extras;
  if (!in.features.user_bag.empty()) {
    extras.user_bag = oof.user_bag.empty() ? &in.features.user_bag : &oof.user_bag;
    log(cb, "watched items: a bag over the " + std::to_string(in.features.user_bag.cols) +
                " most-rated training items");
  }
  if (!in.features.item_bag.empty()) {
    extras.item_bag = oof.item_bag.empty() ? &in.features.item_bag : &oof.item_bag;
    log(cb, "item ids: an embedding for the " + std::to_string(in.features.item_bag.cols) +
                " most-rated training items");
  }
  if (oof.folds > 0) {
    extras.item_key.resize(static_cast<size_t>(oof.item.rows));
    for (int64_t r = 0; r < oof.item.rows; ++r)
      extras.item_key[static_cast<size_t>(r)] = static_cast<int32_t>(r % oof.num_items);
  }
  extras.num_items = in.features.item.rows;
  extras.positive_min =
      in.features.target.scale(static_cast<float>(opts.train.positive_min_rating));
}

// model.rating_head separate: the rating towers, a second two-tower model with the retrieval
// model's shapes and inputs, trained by the mse alone on features.rating_out_of_fold features and
// early-stopped on validation mse. Deterministic like any training, so a resumed run that lost
// them trains them again to the same weights.
TwoTowerModel train_rating_towers(const RunOptions& opts, const RunInputs& in,
                                  const RunCallbacks& cb, json& info, DistContext& ranks) {
  RunOptions r = opts;
  r.model.rating_head = "dot";
  r.train.loss = "mse";
  r.train.early_stopping = "loss";
  TrainingView view;
  fill_training_view(view, r, in, r.features.rating_out_of_fold, cb);
  TwoTowerModel model(in.features.user.cols(), in.features.item.cols(), r.model, r.train.seed,
                      in.features.user_bag.cols, in.features.item_bag.cols);
  log(cb, "training the rating towers (model.rating_head separate): " +
              std::to_string(model.num_parameters()) + " parameters, mse on " +
              std::to_string(view.train.size()) + " rows");
  const auto t0 = std::chrono::steady_clock::now();
  const TrainResult result =
      train_two_tower(model, *view.user_x, *view.item_x, view.train, view.val, r.train, nullptr,
                      cb.progress, &ranks, nullptr, nullptr, view.extras);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  log(cb, "trained the rating towers: " + std::to_string(result.history.size()) + " epochs in " +
              std::to_string(seconds) + " s; best epoch " + std::to_string(result.best_epoch));
  info["rating_towers"] = {{"best_epoch", result.best_epoch},
                           {"epochs_run", result.history.size()},
                           {"stopped_early", result.stopped_early}};
  return model;
}

ModelOutput train_two_tower_run(const RunOptions& opts, const RunInputs& in,
                                const std::string& run_dir, const RunCallbacks& cb, json& info,
                                DistContext& ranks, const TrainState* resume) {
  TrainingView view;
  fill_training_view(view, opts, in, opts.features.out_of_fold, cb);
  const TrainPairs& train = view.train;
  const TrainPairs& val = view.val;
  const FeatureMatrix* user_x = view.user_x;
  const FeatureMatrix* item_x = view.item_x;
  TrainExtras& extras = view.extras;
  if (opts.train.early_stopping == "recall") {
    // Validation recall: the validation ratings are the "test" rows, the rest of the training split
    // is excluded from the candidates; users and items get the full split's features.
    extras.recall = [&](const TwoTowerModel& m) {
      const RankingMetrics rk =
          sharded_ranking(opts, in, tower_ranker(m, in.features), ItemVectors{}, ranks, nullptr,
                          in.fit_rows, in.val_rows);
      return rk.users > 0 ? rk.recall : 0.0;
    };
  }
  TwoTowerModel model(in.features.user.cols(), in.features.item.cols(), opts.model, opts.train.seed,
                      in.features.user_bag.cols, in.features.item_bag.cols);
  log(cb, "training " + std::to_string(model.num_parameters()) + " parameters on " +
              std::to_string(train.size()) + " rows");
  const json meta = {{"towerrec_version", TOWERREC_VERSION}, {"run", opts.name}};
  std::vector<EpochMetrics> history;
  double best = INFINITY;
  // Without validation every epoch is "best": the checkpoint follows the last epoch.
  const auto checkpoint_score = [](const EpochMetrics& e) {
    return std::isnan(e.val_loss) ? -static_cast<double>(e.epoch) : e.val_loss;
  };
  if (resume) {
    // Pick up the run's position: its epochs so far, and the score model.ckpt was written at.
    history = resume->history;
    for (const EpochMetrics& e : history) best = std::min(best, checkpoint_score(e));
    // A kill between epochs.jsonl and train_state.bin leaves epochs.jsonl (and model.ckpt) one
    // epoch ahead of the state; that epoch runs again to the same bits and rewrites them, so they
    // are left as they are until then.
    info["resumed_from_epoch"] = resume->epochs_done;
    log(cb, resume->finished
                ? "resuming " + run_dir + ": training finished after epoch " +
                      std::to_string(resume->epochs_done) + "; evaluating"
                : "resuming " + run_dir + " after epoch " + std::to_string(resume->epochs_done) +
                      " of " + std::to_string(opts.train.epochs));
  }
  // Per epoch, rank 0 writes epochs.jsonl, model.ckpt (when it improved) and then train_state.bin,
  // each atomically: the state, written last, is never ahead of the files it resumes.
  const auto on_epoch = [&](const EpochMetrics& e, const TwoTowerModel& m) {
    if (!ranks.is_root()) return;
    history.push_back(e);
    write_file_atomic(run_file(run_dir, kEpochsFile), jsonl(history));
    const double score = checkpoint_score(e);
    if (score < best) {
      best = score;
      json m_meta = meta;
      m_meta["epoch"] = e.epoch;
      m.save(run_file(run_dir, kCheckpointFile), m_meta);
    }
  };
  const uint64_t fingerprint = options_fingerprint(opts);
  StateFn on_state;
  if (ranks.is_root())
    on_state = [&](TrainState& s) {
      s.config_hash = fingerprint;
      save_train_state(run_file(run_dir, kTrainStateFile), s);
    };
  const auto t0 = std::chrono::steady_clock::now();
  const TrainResult result =
      train_two_tower(model, *user_x, *item_x, train, val, opts.train, on_epoch, cb.progress,
                      &ranks, resume, on_state, extras);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  log(cb, "trained " + std::to_string(result.history.size()) + " epochs in " +
              std::to_string(seconds) + " s; best epoch " + std::to_string(result.best_epoch));
  info["best_epoch"] = result.best_epoch;
  info["epochs_run"] = result.history.size();
  info["stopped_early"] = result.stopped_early;
  std::optional<TwoTowerModel> rating;
  if (opts.model.rating_head == "separate") {
    const std::string path = run_file(run_dir, kRatingCheckpointFile);
    // Written only once complete (after training, atomically): a resumed run that has it is past
    // that point; without it the rating towers are trained (again) from the start.
    if (resume && fs::exists(path)) {
      json r_meta;
      rating.emplace(TwoTowerModel::load(path, &r_meta));
      if (r_meta.is_object() && r_meta.contains("rating_towers"))
        info["rating_towers"] = r_meta["rating_towers"];
      log(cb, "rating towers: " + path + " (trained before the resume)");
    } else {
      const auto r0 = std::chrono::steady_clock::now();
      rating.emplace(train_rating_towers(opts, in, cb, info, ranks));
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - r0).count();
      json r_meta = meta;
      r_meta["rating_towers"] = info["rating_towers"];
      if (ranks.is_root()) rating->save(path, r_meta);
    }
  }
  // every rank: the ranking metrics are sharded
  ModelOutput out = two_tower_output(in, model, rating ? &*rating : nullptr);
  out.train_seconds = seconds;
  return out;
}

ModelOutput train_cf_run(const RunOptions& opts, const RunInputs& in, const std::string& run_dir,
                         const RunCallbacks& cb, json& info, DistContext& ranks) {
  if (in.lab_mode())
    throw UsageError(
        "model.kind cf needs ratings of users and items; the content lab's rows are "
        "precomputed feature vectors (use the cf_lab data or a ratings dataset)");
  const Ratings train = ratings_at(in.data, in.fit_rows);
  const Ratings val = ratings_at(in.data, in.val_rows);
  CfHistory history;
  const auto t0 = std::chrono::steady_clock::now();
  const Ratings* validation = val.size() ? &val : nullptr;
  const bool content = opts.cf.item_features == "content";
  auto model = std::make_shared<CfModel>(
      content ? train_content_regression(train, in.data.num_users(), in.data.num_items(),
                                         in.features.item.data.data(), in.features.item.cols(),
                                         opts.cf, &history, validation)
              : train_cf(train, in.data.num_users(), in.data.num_items(), opts.cf, cb.progress,
                         &history, validation, &ranks));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::ostringstream lines;
  for (size_t i = 0; i < history.loss.size(); ++i) {
    json j = {{"epoch", i + 1}, {"train_loss", history.loss[i]}};
    j["val_loss"] = i < history.validation.size() ? json(history.validation[i]) : json(nullptr);
    lines << j.dump() << "\n";
  }
  if (ranks.is_root()) {
    write_file_atomic(run_file(run_dir, kEpochsFile), lines.str());
    model->save(run_file(run_dir, kCfModelFile));
  }
  log(cb, content ? "trained content regression (" + std::to_string(model->features()) +
                        " item features) in " + std::to_string(seconds) + " s"
                  : "trained cf (" + opts.cf.solver + ", " + std::to_string(opts.cf.iterations) +
                        " iterations) in " + std::to_string(seconds) + " s");
  info["iterations"] = content ? 1 : opts.cf.iterations;
  ModelOutput out = cf_output(in, model);
  out.train_seconds = seconds;
  return out;
}

}  // namespace

json run_training(const RunOptions& opts, const RunCallbacks& cb, DistContext* dist,
                  RunStart start) {
  SplitSpec::parse(opts.data.split);  // a bad spec fails before anything is written
  DistContext one_process;
  DistContext& ranks = dist ? *dist : one_process;
  const std::string run_dir = run_dir_for(opts);
  const bool resuming = start == RunStart::kResume;
  std::unique_ptr<TrainState> resume;
  if (resuming) {
    const std::string state_path = resume_state_path(opts, run_dir);
    // Every rank reads the state (one machine or a shared file system); rank 0 rewrites it only
    // after the first epoch's all-reduces, when every rank has read it.
    resume = std::make_unique<TrainState>(load_train_state(state_path));
    check_resume_fingerprint(resume->config_hash, opts, state_path, run_dir);
    if (resume->finished && fs::exists(run_file(run_dir, kMetricsFile))) {
      log(cb, run_dir + ": training already finished (" + std::to_string(resume->epochs_done) +
                  " epochs, best epoch " + std::to_string(resume->best_epoch) + ") and " +
                  kMetricsFile + " is written: nothing to resume");
      if (!ranks.is_root()) return json::object();
      return json::parse(read_file(run_file(run_dir, kMetricsFile)));
    }
  }
  // Every input file is read and checked before the run directory is created or written: a bad
  // data file leaves an existing --out exactly as it was and creates no new one. (The synthetic
  // default is generated into the run directory, so it can only be read after it is created.)
  RunInputs in;
  if (!opts.data.dir.empty()) in = prepare_run_inputs(opts, run_dir, cb);
  if (ranks.is_root()) {
    make_dirs(run_dir);
    // Temporary files of a killed run are never read (readers open the final names); clear them.
    remove_stale_temp_files(run_dir);
    if (opts.data.dir.empty()) remove_stale_temp_files(run_file(run_dir, kRunDataDir));
    if (resuming) {
      // config.yaml is where the options came from: leave it as it is.
    } else {
      // Outputs of an earlier run in this directory would describe that run (and its state
      // would resume it): a new run starts from an empty slate.
      for (const char* f : {kTrainStateFile, kMetricsFile, kEpochsFile, kCheckpointFile,
                            kRatingCheckpointFile, kCfModelFile, kTestPredictionsFile}) {
        std::error_code ec;
        fs::remove(run_file(run_dir, f), ec);
      }
      write_file_atomic(run_file(run_dir, kRunConfigFile), dump_run_options(opts));
    }
    if (opts.data.dir.empty()) prepare_data_dir(opts, run_dir, cb);  // the synthetic default, once
  }
  ranks.barrier();  // the other ranks read the generated data only once it is complete

  if (opts.data.dir.empty()) in = prepare_run_inputs(opts, run_dir, cb);
  if (ranks.is_root())
    write_file_atomic(run_file(run_dir, kFeaturesFile), in.features.stats_json().dump(2) + "\n");

  json info = json::object();
  const ModelOutput output =
      opts.model.kind == "cf"
          ? train_cf_run(opts, in, run_dir, cb, info, ranks)
          : train_two_tower_run(opts, in, run_dir, cb, info, ranks, resume.get());
  json metrics = evaluate_with_baselines(opts, in, output, cb, ranks);
  if (!ranks.is_root()) return json::object();
  for (auto it = info.begin(); it != info.end(); ++it) metrics[it.key()] = it.value();
  write_predictions(run_file(run_dir, kTestPredictionsFile), in, output);
  write_file_atomic(run_file(run_dir, kMetricsFile), metrics.dump(2) + "\n");
  log(cb, "wrote " + run_file(run_dir, kMetricsFile));
  return metrics;
}

json evaluate_run(const std::string& run_dir, const RunCallbacks& cb,
                  const std::vector<std::string>& sets) {
  const RunOptions opts = load_run_options(run_config_path(run_dir), sets);
  const RunInputs in = prepare_run_inputs(opts, run_dir, cb);
  ModelOutput output;
  if (opts.model.kind == "cf") {
    const std::string path = existing_cf_model(run_dir);
    output = cf_output(in, std::make_shared<CfModel>(CfModel::load(path)));
  } else {
    const std::string ckpt = existing_checkpoint(run_dir);
    TwoTowerModel model = TwoTowerModel::load(ckpt);
    check_checkpoint_fits(ckpt, model, in.features);
    std::optional<TwoTowerModel> rating;
    if (opts.model.rating_head == "separate") {
      const std::string path = existing_rating_checkpoint(run_dir);
      rating.emplace(TwoTowerModel::load(path));
      check_checkpoint_fits(path, *rating, in.features);
    }
    output = two_tower_output(in, model, rating ? &*rating : nullptr);
  }
  DistContext one_process;
  return evaluate_with_baselines(opts, in, output, cb, one_process);
}

}  // namespace towerrec

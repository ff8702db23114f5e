#include "train/two_tower_adapter.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "dist/dist_context.h"
#include "eval/run_metrics_json.h"
#include "features/features.h"
#include "features/out_of_fold.h"
#include "model/two_tower_model.h"
#include "run/run_directory.h"
#include "run/run_fingerprint.h"
#include "run/run_inputs.h"
#include "run/run_models.h"
#include "train/run_evaluation.h"
#include "train/threads.h"
#include "train/train_state.h"
#include "train/two_tower_trainer.h"

namespace towerrec {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// Folds of the watched-items bag when features.out_of_fold is 0.
constexpr int64_t kBagFolds = 5;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
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
  out.test_mse_scaled = mse_scaled / static_cast<double>(std::max<size_t>(1, scaled.size()));
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
    cb.say(std::string("out-of-fold ") + (dense_oof ? "features" : "watched-items bags") + ": " +
           std::to_string(oof.folds) + " folds");
  }
  TrainExtras& extras = v.extras;
  if (!in.features.user_bag.empty()) {
    extras.user_bag = oof.user_bag.empty() ? &in.features.user_bag : &oof.user_bag;
    cb.say("watched items: a bag over the " + std::to_string(in.features.user_bag.cols) +
           " most-rated training items");
  }
  if (!in.features.item_bag.empty()) {
    extras.item_bag = oof.item_bag.empty() ? &in.features.item_bag : &oof.item_bag;
    cb.say("item ids: an embedding for the " + std::to_string(in.features.item_bag.cols) +
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

EpochSummary epoch_summary(const TrainResult& r) {
  return {r.best_epoch, static_cast<int64_t>(r.history.size()), r.stopped_early};
}

// model.rating_head separate: the rating towers, a second two-tower model with the retrieval
// model's shapes and inputs, trained by the mse alone on features.rating_out_of_fold features and
// early-stopped on validation mse. Deterministic like any training, so a resumed run that lost
// them trains them again to the same weights.
TwoTowerModel train_rating_towers(const RunContext& run, EpochSummary& summary) {
  const RunInputs& in = run.in;
  RunOptions r = run.opts;
  r.model.rating_head = RatingHeadKind::kDot;
  r.train.loss = TrainLoss::kMse;
  r.train.early_stopping = EarlyStopping::kLoss;
  TrainingView view;
  fill_training_view(view, r, in, r.features.rating_out_of_fold, run.cb);
  TwoTowerModel model(in.features.user.cols(), in.features.item.cols(), r.model, r.train.seed,
                      in.features.user_bag.cols, in.features.item_bag.cols);
  run.cb.say("training the rating towers (model.rating_head separate): " +
             std::to_string(model.num_parameters()) + " parameters, mse on " +
             std::to_string(view.train.size()) + " rows");
  // Its own stage names: "epoch 1/1" again would read as the retrieval epoch going on, and the
  // progress line's rate and ETA would count from that epoch's start.
  ProgressFn progress;
  if (run.cb.progress)
    progress = [&run](const Progress& p) {
      Progress named = p;
      named.stage = "rating towers " + p.stage;
      run.cb.progress(named);
    };
  const auto t0 = Clock::now();
  const TrainResult result =
      train_two_tower(model, *view.user_x, *view.item_x, view.train, view.val, r.train, nullptr,
                      progress, &run.ranks, nullptr, nullptr, view.extras);
  run.cb.say("trained the rating towers: " + std::to_string(result.history.size()) + " epochs in " +
             std::to_string(seconds_since(t0)) + " s; best epoch " +
             std::to_string(result.best_epoch));
  summary = epoch_summary(result);
  return model;
}

// The rating towers of a run with model.rating_head separate. rating.ckpt is written only once
// complete (after training, atomically): a resumed run that has it is past that point and reads
// it back; without it the rating towers are trained (again) from the start and rank 0 writes
// them. Adds the training time to `seconds`.
TwoTowerModel rating_towers(const RunContext& run, const json& meta, bool resumed,
                            TrainingSummary& summary, double& seconds) {
  const std::string path = run_file(run.run_dir, kRatingCheckpointFile);
  if (resumed && fs::exists(path)) {
    json r_meta;
    TwoTowerModel rating = TwoTowerModel::load(path, &r_meta);
    if (r_meta.is_object() && r_meta.contains("rating_towers"))
      summary.rating_towers = epoch_summary_from_json(r_meta["rating_towers"], path);
    run.cb.say("rating towers: " + path + " (trained before the resume)");
    return rating;
  }
  const auto t0 = Clock::now();
  EpochSummary trained;
  TwoTowerModel rating = train_rating_towers(run, trained);
  seconds += seconds_since(t0);
  summary.rating_towers = trained;
  json r_meta = meta;
  r_meta["rating_towers"] = epoch_summary_json(trained);
  if (run.ranks.is_root()) rating.save(path, r_meta);
  return rating;
}

// What rank 0 writes per epoch: epochs.jsonl, model.ckpt (when it improved) and then
// train_state.bin, each atomically: the state, written last, is never ahead of the files it
// resumes. Holds the run's epoch history (with a resumed run's earlier epochs).
class EpochWriter {
 public:
  EpochWriter(const RunContext& run, json meta, const TrainState* resume)
      : run_(run), meta_(std::move(meta)), fingerprint_(options_fingerprint(run.opts)) {
    if (!resume) return;
    // Pick up the run's position: its epochs so far. A kill between epochs.jsonl and
    // train_state.bin leaves epochs.jsonl (and model.ckpt) one epoch ahead of the state; that
    // epoch runs again to the same bits and rewrites them, so they are left as they are until then.
    history_ = resume->history;
  }

  EpochFn on_epoch() {
    return [this](const EpochMetrics& e, const TwoTowerModel& m) {
      if (!run_.ranks.is_root()) return;
      history_.push_back(e);
      write_file_atomic(run_file(run_.run_dir, kEpochsFile), jsonl(history_));
      // The trainer's own choice (EpochMetrics::kept), so model.ckpt is the model metrics.json
      // reports: a criterion of its own here (the validation loss) once saved another epoch than
      // early stopping by recall kept.
      if (e.kept) {
        json m_meta = meta_;
        m_meta["epoch"] = e.epoch;
        m.save(run_file(run_.run_dir, kCheckpointFile), m_meta);
      }
    };
  }

  StateFn on_state() {
    if (!run_.ranks.is_root()) return {};
    return [this](TrainState& s) {
      s.config_hash = fingerprint_;
      save_train_state(run_file(run_.run_dir, kTrainStateFile), s);
    };
  }

  const std::vector<EpochMetrics>& history() const { return history_; }

 private:
  const RunContext& run_;
  const json meta_;
  const uint64_t fingerprint_;
  std::vector<EpochMetrics> history_;
};

class TwoTowerAdapter : public ModelKindAdapter {
 public:
  ModelOutput train(const RunContext& run, const TrainState* resume) const override {
    const RunOptions& opts = run.opts;
    const RunInputs& in = run.in;
    // Its out-of-fold features and bags (the largest allocation of a big run: 5 folds of every
    // user's bag) are freed before the rating towers build theirs.
    auto view = std::make_unique<TrainingView>();
    fill_training_view(*view, opts, in, opts.features.out_of_fold, run.cb);
    if (opts.train.early_stopping == EarlyStopping::kRecall) {
      // Validation recall: the validation ratings are the "test" rows, the rest of the training
      // split is excluded from the candidates; users and items get the full split's features.
      view->extras.recall = [&](const TwoTowerModel& m) {
        const RankingMetrics rk =
            sharded_ranking(opts, in, tower_ranker(m, in.features), ItemVectors{}, run.ranks,
                            nullptr, in.fit_rows, in.val_rows);
        return rk.users > 0 ? rk.recall : 0.0;
      };
    }
    TwoTowerModel model(in.features.user.cols(), in.features.item.cols(), opts.model,
                        opts.train.seed, in.features.user_bag.cols, in.features.item_bag.cols);
    run.cb.say("training " + std::to_string(model.num_parameters()) + " parameters on " +
               std::to_string(view->train.size()) + " rows, " + std::to_string(torch_threads()) +
               (torch_threads() == 1 ? " thread" : " threads"));
    const json meta = {{"towerrec_version", TOWERREC_VERSION}, {"run", opts.name}};
    TrainingSummary summary;
    if (resume) {
      summary.resumed_from_epoch = resume->epochs_done;
      run.cb.say(resume->finished ? "resuming " + run.run_dir + ": training finished after epoch " +
                                        std::to_string(resume->epochs_done) + "; evaluating"
                                  : "resuming " + run.run_dir + " after epoch " +
                                        std::to_string(resume->epochs_done) + " of " +
                                        std::to_string(opts.train.epochs));
    }
    EpochWriter writer(run, meta, resume);
    const auto t0 = Clock::now();
    const TrainResult result = train_two_tower(
        model, *view->user_x, *view->item_x, view->train, view->val, opts.train, writer.on_epoch(),
        run.cb.progress, &run.ranks, resume, writer.on_state(), view->extras);
    view.reset();
    double seconds = seconds_since(t0);
    run.cb.say("trained " + std::to_string(result.history.size()) + " epochs in " +
               std::to_string(seconds) + " s; best epoch " + std::to_string(result.best_epoch));
    summary.epochs = epoch_summary(result);
    std::optional<TwoTowerModel> rating;
    if (opts.model.rating_head == RatingHeadKind::kSeparate)
      rating.emplace(rating_towers(run, meta, resume != nullptr, summary, seconds));
    // every rank: the ranking metrics are sharded
    ModelOutput out = two_tower_output(in, model, rating ? &*rating : nullptr);
    out.train_seconds = seconds;
    out.training = summary;
    for (const EpochMetrics& e : writer.history()) {
      out.train_loss.x.push_back(static_cast<double>(e.epoch));
      out.train_loss.y.push_back(e.train_loss);
      if (std::isnan(e.val_loss)) continue;
      out.val_loss.x.push_back(static_cast<double>(e.epoch));
      out.val_loss.y.push_back(e.val_loss);
    }
    return out;
  }

  ModelOutput load(const std::string& run_dir, const RunInputs& in,
                   const RunOptions& opts) const override {
    const RunTowers towers = load_run_towers(run_dir, opts, &in.features);
    return two_tower_output(in, towers.model, towers.rating ? &*towers.rating : nullptr);
  }
};

}  // namespace

std::unique_ptr<ModelKindAdapter> two_tower_adapter() {
  return std::make_unique<TwoTowerAdapter>();
}

}  // namespace towerrec

#include "train/cf_adapter.h"

#include <chrono>
#include <cmath>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cf/cf_model.h"
#include "cf/cf_trainer.h"
#include "cf/content_regression.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "dist/dist_context.h"
#include "eval/binary_metrics.h"
#include "run/run_directory.h"
#include "run/run_inputs.h"
#include "run/run_models.h"

namespace towerrec {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

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
  out.name =
      model->options().item_features == CfItemFeatures::kContent ? "content_regression" : "cf";
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
    out.test_auc = auc(labels, pred);
    out.test_log_loss = log_loss(labels, pred);
  } else if (model->predicts_stars()) {
    out.test_stars = std::move(pred);
  }
  out.ranker = rank_by_scores(cf_scorer(model), static_cast<int32_t>(model->num_items()));
  out.vectors = {"item vectors", model->features(), model->item_features()};
  return out;
}

// epochs.jsonl of a CF model: J and the validation figure per iteration (null when absent).
std::string cf_epochs_jsonl(const CfHistory& history) {
  std::ostringstream lines;
  for (size_t i = 0; i < history.loss.size(); ++i) {
    json j = {{"epoch", i + 1}, {"train_loss", history.loss[i]}};
    j["val_loss"] = i < history.validation.size() ? json(history.validation[i]) : json(nullptr);
    lines << j.dump() << "\n";
  }
  return lines.str();
}

// The CF model kinds: matrix factorisation (cf.item_features learned: w, b, x by cf.solver) and
// the content regression (cf.item_features content: per-user regression on the items' features).
// Both write epochs.jsonl and model.cf and read model.cf back.
class CfAdapter : public ModelKindAdapter {
 public:
  explicit CfAdapter(bool content) : content_(content) {}

  ModelOutput train(const RunContext& run, const TrainState* /*resume*/) const override {
    const RunOptions& opts = run.opts;
    const RunInputs& in = run.in;
    if (in.lab_mode())
      throw UsageError(
          "model.kind cf needs ratings of users and items; the content lab's rows are "
          "precomputed feature vectors (use the cf_lab data or a ratings dataset)");
    const Ratings train = in.data.ratings.subset(in.fit_rows);
    const Ratings val = in.data.ratings.subset(in.val_rows);
    CfHistory history;
    const auto t0 = Clock::now();
    const Ratings* validation = val.size() ? &val : nullptr;
    auto model = std::make_shared<CfModel>(
        content_ ? train_content_regression(train, in.data.num_users(), in.data.num_items(),
                                            in.features.item.data.data(), in.features.item.cols(),
                                            opts.cf, &history, validation)
                 : train_cf(train, in.data.num_users(), in.data.num_items(), opts.cf,
                            run.cb.progress, &history, validation, &run.ranks));
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    if (run.ranks.is_root()) {
      write_file_atomic(run_file(run.run_dir, kEpochsFile), cf_epochs_jsonl(history));
      model->save(run_file(run.run_dir, kCfModelFile));
    }
    run.cb.say(content_ ? "trained content regression (" + std::to_string(model->features()) +
                              " item features) in " + std::to_string(seconds) + " s"
                        : "trained cf (" + std::string(enum_name(opts.cf.solver)) + ", " +
                              std::to_string(opts.cf.iterations) + " iterations) in " +
                              std::to_string(seconds) + " s");
    ModelOutput out = cf_output(in, model);
    out.train_seconds = seconds;
    out.training.iterations = content_ ? 1 : opts.cf.iterations;
    for (size_t i = 0; i < history.loss.size(); ++i) {
      const double epoch = static_cast<double>(i + 1);
      out.train_loss.x.push_back(epoch);
      out.train_loss.y.push_back(history.loss[i]);
      if (i >= history.validation.size() || std::isnan(history.validation[i])) continue;
      out.val_loss.x.push_back(epoch);
      out.val_loss.y.push_back(history.validation[i]);
    }
    return out;
  }

  ModelOutput load(const std::string& run_dir, const RunInputs& in,
                   const RunOptions& /*opts*/) const override {
    return cf_output(in,
                     std::make_shared<CfModel>(load_run_cf_model(run_dir, in.data.num_items())));
  }

 private:
  bool content_;
};

}  // namespace

std::unique_ptr<ModelKindAdapter> cf_adapter() { return std::make_unique<CfAdapter>(false); }

std::unique_ptr<ModelKindAdapter> content_regression_adapter() {
  return std::make_unique<CfAdapter>(true);
}

}  // namespace towerrec

#include "run/run_inputs.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "core/error.h"
#include "core/rng.h"
#include "data/dataset_reader.h"
#include "data/synthetic_generator.h"
#include "run/run_directory.h"

namespace towerrec {
namespace {

void log_input(const RunCallbacks& cb, const std::string& msg) {
  if (cb.log) cb.log(msg);
}

std::string format_min_rating(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// A seeded validation subset of the training rows; both outputs sorted ascending.
void carve_validation(const std::vector<uint32_t>& train, double fraction, uint64_t seed,
                      std::vector<uint32_t>& fit, std::vector<uint32_t>& val) {
  std::vector<uint32_t> shuffled = train;
  Rng rng(mix_seed(seed, 0x7661'6c69'6461'7465ULL));  // own stream: independent of init/shuffle
  rng.shuffle(shuffled);
  const size_t n_val =
      static_cast<size_t>(std::llround(fraction * static_cast<double>(train.size())));
  val.assign(shuffled.begin(), shuffled.begin() + static_cast<std::ptrdiff_t>(n_val));
  fit.assign(shuffled.begin() + static_cast<std::ptrdiff_t>(n_val), shuffled.end());
  std::sort(val.begin(), val.end());
  std::sort(fit.begin(), fit.end());
}

}  // namespace

// The synthetic default is generated once into the run directory, so `eval` re-reads the same
// files.
std::string prepare_data_dir(const RunOptions& opts, const std::string& run_dir,
                             const RunCallbacks& cb) {
  const std::string dir = run_dataset_dir(opts, run_dir);
  if (!opts.data.dir.empty()) return dir;
  if (!std::filesystem::exists(dir + "/ratings.csv")) {
    log_input(cb, "generating the synthetic default into " + dir);
    SyntheticGenerator gen(opts.data.synthetic);
    gen.write(dir, cb.progress);
  }
  return dir;
}

RunInputs prepare_run_inputs(const RunOptions& opts, const std::string& run_dir,
                             const RunCallbacks& cb) {
  RunInputs in;
  in.data_dir = prepare_data_dir(opts, run_dir, cb);
  in.data = read_dataset(in.data_dir, opts.data, cb.progress);
  log_input(cb, "read " + std::to_string(in.data.ratings.size()) + " ratings, " +
                    std::to_string(in.data.num_users()) + " users, " +
                    std::to_string(in.data.num_items()) + " items (" + enum_name(in.data.format) +
                    ") from " + in.data_dir);
  in.split = make_split(in.data, SplitSpec::parse(opts.data.split));
  if (in.split.train.empty() || in.split.test.empty())
    throw Error("split " + opts.data.split + " leaves an empty train or test set (" +
                std::to_string(in.split.train.size()) + " / " +
                std::to_string(in.split.test.size()) + " ratings)");
  carve_validation(in.split.train, opts.train.validation_fraction, opts.train.seed, in.fit_rows,
                   in.val_rows);
  if (opts.model.kind == ModelKind::kTwoTower && opts.train.loss != TrainLoss::kMse) {
    float highest = -INFINITY;
    for (uint32_t r : in.split.train) highest = std::max(highest, in.data.ratings.value[r]);
    if (highest < opts.train.positive_min_rating)
      throw Error(in.data_dir + ": no training rating reaches train.positive_min_rating (" +
                  format_min_rating(opts.train.positive_min_rating) + "); the highest is " +
                  format_min_rating(highest) +
                  ": lower train.positive_min_rating or use train.loss: mse");
  }
  if (in.data.format == DataFormat::kContentLab) {
    in.lab = std::make_unique<ContentLab>(read_content_lab(in.data_dir));
    in.features = build_lab_features(*in.lab, in.split.train);
  } else {
    in.features = build_features(in.data, in.split.train, opts.features);
  }
  log_input(cb, "split " + opts.data.split + ": " + std::to_string(in.fit_rows.size()) +
                    " train, " + std::to_string(in.val_rows.size()) + " validation, " +
                    std::to_string(in.split.test.size()) +
                    " test; features: " + std::to_string(in.features.user.cols()) + " user, " +
                    std::to_string(in.features.item.cols()) + " item");
  return in;
}

}  // namespace towerrec

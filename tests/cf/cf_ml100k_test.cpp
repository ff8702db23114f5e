// MovieLens 100K canonical folds: the CF baseline's accuracy target (issue 5: mean test RMSE
// <= 0.92; an SVD-style factorisation gets ~0.934). One fold runs in the default suite, all five
// under "[.slow]". Measured with the shipped config (Gibbs-sampled BPMF, 20 features, item bias,
// 50 kept samples): u1..u5 0.913 / 0.906 / 0.901 / 0.902 / 0.903, mean 0.905, ~5 s per fold on
// one core. For reference, on the same folds: ALS-WR (50 features, lambda 0.15) 0.931 / 0.923 /
// 0.920 / 0.919 / 0.920 (mean 0.923), with cf.item_bias 0.918, with cf.ensemble 3 still 0.923.
#include <algorithm>
#include <sstream>

#include <catch2/catch.hpp>

#include "cf/cf_trainer.h"
#include "config/options.h"
#include "config/yaml_config.h"
#include "data/dataset.h"
#include "eval/rating_metrics.h"
#include "test_util.h"

using namespace towerrec;

namespace {

// The shipped configuration, configs/cf-ml-100k.yaml: the test measures what users run.
CfOptions ml100k_options() {
  return load_run_options(std::string(TOWERREC_SOURCE_DIR) + "/configs/cf-ml-100k.yaml").cf;
}

// u.data parsed here rather than with read_dataset: the ml100k reader currently rejects u.item's
// release dates with a one-digit day ("4-Feb-1971", line 1373), and the CF baseline needs only
// u.data. Indices are ids - 1 (ml-100k ids are dense from 1).
struct Ml100k {
  Ratings ratings;
  int32_t n_users = 0, n_items = 0;
};

bool load_ml100k(Ml100k& data) {
  const std::string dir = test::shared_data("ml-100k");
  if (dir.empty()) return false;
  std::istringstream in(test::slurp(dir + "/u.data"));
  int64_t u, i, ts;
  float v;
  while (in >> u >> i >> v >> ts) {
    data.ratings.push_back(static_cast<int32_t>(u - 1), static_cast<int32_t>(i - 1), v, ts);
    data.n_users = std::max(data.n_users, static_cast<int32_t>(u));
    data.n_items = std::max(data.n_items, static_cast<int32_t>(i));
  }
  REQUIRE(data.ratings.size() == 100000);
  return true;
}

// Canonical fold uK: u.data lines (K-1)*20000+1 .. K*20000 are the test set (mku.sh).
double fold_rmse(const Ml100k& data, int fold, const CfOptions& opts) {
  std::vector<uint32_t> train_rows, test_rows;
  for (uint32_t r = 0; r < data.ratings.size(); ++r)
    (r / 20000 == static_cast<uint32_t>(fold - 1) ? test_rows : train_rows).push_back(r);
  const Ratings train = data.ratings.subset(train_rows), test = data.ratings.subset(test_rows);
  const CfModel m = train_cf(train, data.n_users, data.n_items, opts);
  // CfModel clips to the training range (1..5 stars here).
  const std::vector<float> pred = m.predict(test.user, test.item);
  return rating_metrics(pred, test.value).rmse;
}

}  // namespace

TEST_CASE("cf on ml-100k fold u1: test RMSE below the 0.925 regression guard", "[cf]") {
  Ml100k data;
  if (!load_ml100k(data)) {
    WARN("ml-100k not found; skipping");
    return;
  }
  const double rmse = fold_rmse(data, 1, ml100k_options());
  INFO("u1 RMSE " << rmse);
  // Measured 0.913 (u1 is the hardest fold; ALS-WR gets 0.931). The guard leaves room for other
  // float rounding (thread counts, compilers) without letting a real regression through.
  CHECK(rmse < 0.925);
}

TEST_CASE("cf on ml-100k folds u1..u5: mean test RMSE at most 0.92", "[.slow][cf_slow]") {
  Ml100k data;
  if (!load_ml100k(data)) {
    WARN("ml-100k not found; skipping");
    return;
  }
  double sum = 0;
  std::ostringstream per_fold;
  for (int fold = 1; fold <= 5; ++fold) {
    const double r = fold_rmse(data, fold, ml100k_options());
    per_fold << "u" << fold << " " << r << "  ";
    sum += r;
  }
  WARN("ml-100k CF RMSE per fold: " << per_fold.str() << " mean " << sum / 5);
  CHECK(sum / 5 <= 0.92);  // measured 0.905 (see the top of this file)
}

#include "cf/cf_trainer.h"

#include <cmath>
#include <map>

#include <catch2/catch.hpp>

#include "cf_test_data.h"
#include "core/error.h"
#include "eval/binary_metrics.h"

using namespace towerrec;

namespace {

CfOptions small_options(const std::string& solver) {
  CfOptions opts;
  opts.features = 4;
  opts.lambda = 0.5;
  opts.lr = 0.05;
  opts.iterations = solver == "adam" ? 300 : 15;
  opts.init_std = 0.1;
  CHECK(parse_enum(solver, opts.solver));
  return opts;
}

}  // namespace

TEST_CASE("train_cf: Adam and ALS fit planted low-rank ratings and generalise", "[cf]") {
  const auto p = test::planted_cf(80, 60, 3, 0.5, 0.1, 0.2, 11);
  for (const std::string solver : {"adam", "als"}) {
    SECTION(solver) {
      CfHistory h;
      const CfModel m =
          train_cf(p.train, p.n_users, p.n_items, small_options(solver), {}, &h, &p.test);
      REQUIRE(h.loss.size() == static_cast<size_t>(small_options(solver).iterations));
      REQUIRE(h.validation.size() == h.loss.size());
      // Adam starts from the random initialisation, ALS's first record is after a whole sweep.
      CHECK(h.loss.back() < (solver == "adam" ? 0.2 : 1.0) * h.loss.front());
      // The planted noise is 0.1; predicting every rating by its item mean is far worse.
      const double test_rmse = test::rmse(m.predict(p.test.user, p.test.item), p.test.value);
      CHECK(test_rmse < 0.2);
      CHECK(h.validation.back() == Approx(test_rmse).epsilon(1e-4));
      // J of the returned model (cf_cost) is what the last iteration was heading to.
      CHECK(cf_cost(m, p.train) <= h.loss.back() * 1.01);
    }
  }
}

TEST_CASE("train_cf: ALS never increases J", "[cf]") {
  const auto p = test::planted_cf(50, 40, 3, 0.4, 0.3, 0.0, 5);
  CfOptions opts = small_options("als");
  opts.lambda = 2;
  std::vector<double> loss;
  train_cf(p.train, p.n_users, p.n_items, opts, {}, &loss);
  for (size_t k = 1; k < loss.size(); ++k) CHECK(loss[k] <= loss[k - 1] * (1 + 1e-6));
}

TEST_CASE("train_cf: mean normalisation — unrated users get μ_i, unrated items the global mean",
          "[cf]") {
  // User 7 and item 3 have no ratings at all.
  const auto p = test::planted_cf(30, 20, 2, 0.6, 0.1, 0.0, 3, {7}, {3});
  std::map<int32_t, std::pair<double, int>> item_sum;
  double total = 0;
  for (size_t r = 0; r < p.train.size(); ++r) {
    item_sum[p.train.item[r]].first += p.train.value[r];
    item_sum[p.train.item[r]].second += 1;
    total += p.train.value[r];
  }
  const double global = total / static_cast<double>(p.train.size());
  for (const std::string solver : {"adam", "als"}) {
    CfOptions opts = small_options(solver);
    opts.iterations = 20;
    const CfModel m = train_cf(p.train, p.n_users, p.n_items, opts);
    const std::vector<float> s = m.scores(7);
    for (int32_t i = 0; i < p.n_items; ++i) {
      const double mu = i == 3 ? global : item_sum[i].first / item_sum[i].second;
      CHECK(m.item_offset()[i] == Approx(mu).epsilon(1e-5));
      CHECK(s[i] == Approx(mu).epsilon(1e-5));  // w = 0, b = 0 for the unrated user
    }
    // The unrated item: global mean plus the user's bias (its features stay 0).
    CHECK(m.predict(0, 3) == Approx(global + m.user_bias()[0]).epsilon(1e-5));
  }
}

TEST_CASE("train_cf: ALS with a learned item bias (cf.item_bias, cf.bias_lambda)", "[cf]") {
  // Planted item offsets μ_i in [0.5, 3.5] and no mean normalisation: without an item bias the
  // factors must carry the offsets (penalised), with one the bias takes them.
  const auto p = test::planted_cf(80, 60, 3, 0.5, 0.1, 0.2, 11);
  CfOptions opts = small_options("als");
  opts.mean_normalize = false;
  const CfModel plain = train_cf(p.train, p.n_users, p.n_items, opts);
  opts.item_bias = true;
  const CfModel biased = train_cf(p.train, p.n_users, p.n_items, opts);
  const double rmse_plain = test::rmse(plain.predict(p.test.user, p.test.item), p.test.value);
  const double rmse_biased = test::rmse(biased.predict(p.test.user, p.test.item), p.test.value);
  INFO("plain " << rmse_plain << " biased " << rmse_biased);
  CHECK(rmse_biased < 0.2);
  CHECK(rmse_biased < rmse_plain);
  // The learned offsets follow the planted ones up to a shift shared with the user biases.
  double shift = 0;
  for (int32_t i = 0; i < p.n_items; ++i) shift += biased.item_offset()[i] - p.mu[i];
  shift /= p.n_items;
  for (int32_t i = 0; i < p.n_items; ++i)
    CHECK(biased.item_offset()[i] - shift == Approx(p.mu[i]).margin(0.35));
  // A huge bias penalty pins every bias at 0: μ stays 0 without mean normalisation.
  opts.bias_lambda = 1e9;
  const CfModel pinned = train_cf(p.train, p.n_users, p.n_items, opts);
  for (float mu : pinned.item_offset()) CHECK(mu == Approx(0).margin(1e-4));
  for (float b : pinned.user_bias()) CHECK(b == Approx(0).margin(1e-4));
}

TEST_CASE("train_cf: cf.ensemble averages the predictions of runs with consecutive seeds", "[cf]") {
  const auto p = test::planted_cf(40, 30, 2, 0.5, 0.1, 0.2, 9);
  for (const std::string solver : {"als", "adam", "gibbs"}) {
    SECTION(solver) {
      CfOptions opts = small_options(solver);
      opts.iterations = solver == "adam" ? 30 : 6;
      opts.burn_in = 3;
      opts.item_bias = solver != "adam";
      CfOptions e = opts;
      e.ensemble = 3;
      const CfModel avg = train_cf(p.train, p.n_users, p.n_items, e);
      CHECK(avg.features() == 3 * cf_stored_features(opts));
      std::vector<double> sum(p.test.size(), 0.0);
      for (uint64_t k = 0; k < 3; ++k) {
        opts.seed = e.seed + k;
        const CfModel m = train_cf(p.train, p.n_users, p.n_items, opts);
        // Unclipped sums: take the raw scores through the range-free path (all inside 0..7 here).
        const std::vector<float> pred = m.predict(p.test.user, p.test.item);
        for (size_t r = 0; r < pred.size(); ++r) sum[r] += pred[r];
      }
      const std::vector<float> got = avg.predict(p.test.user, p.test.item);
      size_t inside = 0;
      for (size_t r = 0; r < got.size(); ++r) {
        // Clipping is not linear: compare where no run was clipped.
        if (got[r] <= avg.rating_min() + 0.5f || got[r] >= avg.rating_max() - 0.5f) continue;
        ++inside;
        CHECK(got[r] == Approx(sum[r] / 3).margin(1e-4));
      }
      CHECK(inside > got.size() / 2);
    }
  }
}

TEST_CASE("train_cf: the binary variant learns likes and reports AUC and log-loss", "[cf]") {
  const auto p = test::planted_cf(80, 60, 3, 0.5, 0.1, 0.2, 17);
  CfOptions opts = small_options("adam");
  opts.binary = true;
  opts.binary_threshold = 3.5;
  opts.iterations = 200;
  CfHistory h;
  const CfModel m = train_cf(p.train, p.n_users, p.n_items, opts, {}, &h, &p.test);
  const std::vector<float> labels = cf_labels(p.test.value, opts.binary_threshold);
  const std::vector<float> prob = m.predict(p.test.user, p.test.item);
  for (float q : prob) REQUIRE((q > 0.f && q < 1.f));
  CHECK(auc(labels, prob) > 0.9);
  const double ll = log_loss(labels, prob);
  CHECK(ll < 0.45);
  CHECK(h.validation.back() == Approx(ll).epsilon(1e-3));  // validation metric = log-loss
  CHECK(h.loss.back() < h.loss.front());
  // Labels: a threshold on stars, or the values themselves when they are all 0/1.
  CHECK(cf_labels({3.f, 4.f, 5.f}, 4.0) == std::vector<float>{0, 1, 1});
  CHECK(cf_labels({0.f, 1.f, 1.f}, 4.0) == std::vector<float>{0, 1, 1});
}

TEST_CASE("train_cf: bad input is rejected with the offending values", "[cf]") {
  Ratings r;
  r.push_back(0, 0, 4, 0);
  r.push_back(2, 1, 3, 0);
  CHECK_THROWS_WITH(
      train_cf(r, 2, 2, CfOptions{}),
      "train_cf: train: rating 1: expected user < 2 and item < 2, found user 2, item 1");
  CfOptions opts;
  opts.binary = true;
  opts.solver = CfSolverKind::kAls;
  CHECK_THROWS_WITH(
      train_cf(r, 3, 2, opts),
      "train_cf: cf.solver: expected \"adam\" with cf.binary: true (als, gibbs and wals model "
      "squared error only), found \"als\"");
  opts = CfOptions{};
  opts.item_bias = true;
  CHECK_THROWS_WITH(train_cf(r, 3, 2, opts),
                    "train_cf: cf.item_bias: expected cf.solver als or gibbs with cf.item_bias: "
                    "true, found \"adam\"");
  opts.solver = CfSolverKind::kGibbs;
  opts.iterations = 10;
  opts.burn_in = 10;
  CHECK_THROWS_WITH(train_cf(r, 3, 2, opts),
                    "train_cf: cf.burn_in: expected a number < cf.iterations (10) with cf.solver: "
                    "gibbs, found 10");
  opts.burn_in = 4;
  opts.thin = 7;
  CHECK_THROWS_WITH(train_cf(r, 3, 2, opts),
                    "train_cf: cf.thin: expected a number <= cf.iterations - cf.burn_in (6) with "
                    "cf.solver: gibbs, so that a sample is kept, found 7");
  r.value[0] = NAN;
  CHECK_THROWS_WITH(train_cf(r, 3, 2, CfOptions{}),
                    "train_cf: train: rating 0: expected a finite value");
}

#include "cf/gibbs_sampler.h"

#include <cmath>

#include <ATen/Parallel.h>
#include <catch2/catch.hpp>

#include "cf/cf_model.h"
#include "cf/cf_trainer.h"
#include "cf_test_data.h"
#include "test_util.h"

using namespace towerrec;

namespace {

CfOptions gibbs_options() {
  CfOptions opts;
  opts.solver = CfSolverKind::kGibbs;
  opts.features = 4;
  opts.iterations = 40;
  opts.burn_in = 10;
  opts.noise_precision = 100;  // the planted noise is 0.1 stars
  opts.init_std = 0.1;
  opts.seed = 5;
  return opts;
}

}  // namespace

TEST_CASE("gibbs: recovers a planted low-rank matrix", "[cf]") {
  const auto p = test::planted_cf(80, 60, 3, 0.5, 0.1, 0.2, 11);
  CfHistory h;
  const CfModel m = train_cf(p.train, p.n_users, p.n_items, gibbs_options(), {}, &h, &p.test);
  REQUIRE(h.loss.size() == 40);
  REQUIRE(h.validation.size() == 40);
  // The averaged model stores every kept sample's 4 columns side by side.
  CHECK(m.features() == 4 * 30);
  CHECK(cf_stored_features(gibbs_options()) == 120);
  const double test_rmse = test::rmse(m.predict(p.test.user, p.test.item), p.test.value);
  INFO("test RMSE " << test_rmse);
  CHECK(test_rmse < 0.2);
  // The validation curve of the last sweep is the returned model's RMSE.
  CHECK(h.validation.back() == Approx(test_rmse).epsilon(1e-3));
  // The chain's fit: the data term of the last sample is near n σ²/2 = 0.005 n, far below the
  // first sweep's.
  CHECK(h.loss.back() < 0.02 * static_cast<double>(p.train.size()));
  CHECK(h.loss.back() < 0.2 * h.loss.front());
}

TEST_CASE("gibbs: deterministic for a seed, whatever the thread count", "[cf]") {
  const auto p = test::planted_cf(40, 30, 2, 0.5, 0.1, 0.0, 3);
  CfOptions opts = gibbs_options();
  opts.iterations = 8;
  opts.burn_in = 4;
  const CfModel a = train_cf(p.train, p.n_users, p.n_items, opts);
  const int threads = at::get_num_threads();
  at::set_num_threads(2);
  const CfModel b = train_cf(p.train, p.n_users, p.n_items, opts);
  at::set_num_threads(threads);
  CHECK(a.user_weights() == b.user_weights());
  CHECK(a.item_features() == b.item_features());
  CHECK(a.user_bias() == b.user_bias());
  CHECK(a.item_offset() == b.item_offset());
  opts.seed = 6;
  const CfModel c = train_cf(p.train, p.n_users, p.n_items, opts);
  CHECK(a.user_weights() != c.user_weights());
}

TEST_CASE("gibbs: the model's prediction is the average of the kept samples' predictions", "[cf]") {
  const auto p = test::planted_cf(30, 25, 2, 0.5, 0.1, 0.0, 7);
  CfOptions opts = gibbs_options();
  opts.iterations = 12;
  opts.burn_in = 5;
  opts.thin = 2;  // keeps sweeps 7, 9 and 11
  opts.item_bias = true;
  opts.bias_lambda = 1;
  const std::vector<float> y = p.train.value;  // no normalisation: μ = 0
  GibbsSampler s(p.train, y, p.n_users, p.n_items, opts);
  const std::vector<std::pair<int32_t, int32_t>> pairs = {{0, 0}, {3, 7}, {29, 24}, {12, 5}};
  std::vector<double> sum(pairs.size(), 0.0);
  for (int64_t sweep = 1; sweep <= opts.iterations; ++sweep) {
    s.sweep();
    const bool kept = sweep == 7 || sweep == 9 || sweep == 11;
    CHECK(s.samples_kept() == (sweep < 7 ? 0 : sweep < 9 ? 1 : sweep < 11 ? 2 : 3));
    if (kept)
      for (size_t k = 0; k < pairs.size(); ++k)
        sum[k] += s.predict_current(pairs[k].first, pairs[k].second);
  }
  std::vector<float> W, b, X, c;
  s.average(W, b, X, c);
  const int64_t width = opts.features * 3;
  CHECK(cf_stored_features(opts) == width);
  REQUIRE(W.size() == static_cast<size_t>(p.n_users * width));
  REQUIRE(X.size() == static_cast<size_t>(p.n_items * width));
  // The item bias was learned (not left at 0).
  double c_norm = 0;
  for (float v : c) c_norm += std::abs(v);
  CHECK(c_norm > 0.1);
  for (size_t k = 0; k < pairs.size(); ++k) {
    const auto [u, i] = pairs[k];
    double z = b[u] + c[i];
    for (int64_t j = 0; j < width; ++j)
      z += static_cast<double>(W[u * width + j]) * X[i * width + j];
    CHECK(z == Approx(sum[k] / 3).margin(1e-4));
  }
}

TEST_CASE("gibbs: unrated users get μ_i, and the model survives save/load", "[cf]") {
  const auto p = test::planted_cf(30, 20, 2, 0.6, 0.1, 0.0, 3, {7}, {3});
  CfOptions opts = gibbs_options();
  opts.iterations = 6;
  opts.burn_in = 2;
  const CfModel m = train_cf(p.train, p.n_users, p.n_items, opts);
  const std::vector<float> s = m.scores(7);
  for (int32_t i = 0; i < p.n_items; ++i) CHECK(s[i] == Approx(m.item_offset()[i]));
  // The unrated item's factors stay 0: the user's bias plus the global mean.
  CHECK(m.predict(0, 3) == Approx(m.item_offset()[3] + m.user_bias()[0]));
  test::TempDir dir;
  m.save(dir.file("g.cfm"));
  const CfModel back = CfModel::load(dir.file("g.cfm"));
  CHECK(back.features() == 4 * 4);  // 6 sweeps, 2 burnt
  CHECK(back.options().solver == CfSolverKind::kGibbs);
  CHECK(back.predict(p.train.user, p.train.item) == m.predict(p.train.user, p.train.item));
}

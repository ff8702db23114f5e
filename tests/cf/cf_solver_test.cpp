#include "cf/cf_solver.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "cf/cf_model.h"
#include "cf_test_data.h"
#include "core/error.h"
#include "core/rng.h"
#include "data/dataset.h"
#include "dist/dist_context.h"

using namespace towerrec;

TEST_CASE("make_cf_solver: one solver per cf.solver name, each fitting the model", "[cf]") {
  const auto p = test::planted_cf(30, 20, 2, 0.5, 0.1, 0.2, 3);
  DistContext one_process;
  for (const std::string name : {"adam", "als", "gibbs", "wals"}) {
    INFO(name);
    CfOptions opts;
    opts.solver = name;
    opts.features = 2;
    opts.iterations = 4;
    opts.burn_in = 1;
    CfModel model(p.n_users, p.n_items, opts);
    Rng rng(opts.seed);
    const CfProblem problem{p.train, p.train.value, &p.test, p.test.value, opts, one_process, rng};
    const auto solver = make_cf_solver(problem, model);
    REQUIRE(solver != nullptr);
    for (int it = 0; it < opts.iterations; ++it) {
      CHECK(std::isfinite(solver->iterate()));
      const auto v = solver->validation();
      REQUIRE(v.has_value());
      CHECK(std::isfinite(*v));
    }
    solver->finish();
    double norm = 0;
    for (float x : model.item_features()) norm += x * x;
    CHECK(norm > 0);
  }
}

TEST_CASE("make_cf_solver: an unknown name lists the solvers", "[cf]") {
  const auto p = test::planted_cf(5, 5, 2, 0.5, 0.1, 0.0, 3);
  DistContext one_process;
  CfOptions opts;
  opts.solver = "sgd";
  CfModel model(p.n_users, p.n_items, opts);
  Rng rng(1);
  const CfProblem problem{p.train, p.train.value, nullptr, p.train.value, opts, one_process, rng};
  CHECK_THROWS_WITH(make_cf_solver(problem, model),
                    "train_cf: cf.solver: expected one of: adam, als, gibbs, wals, found \"sgd\"");
}

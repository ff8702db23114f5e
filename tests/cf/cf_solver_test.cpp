#include "cf/cf_solver.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "cf/cf_model.h"
#include "cf_test_data.h"
#include "config/yaml_config.h"
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
    REQUIRE(parse_enum(name, opts.solver));
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

// cf.solver is a CfSolverKind: an unknown name never reaches make_cf_solver, the config refuses it.
TEST_CASE("make_cf_solver: an unknown name is refused by the config, listing the solvers", "[cf]") {
  CfSolverKind kind = CfSolverKind::kGibbs;
  CHECK_FALSE(parse_enum("sgd", kind));
  CHECK(kind == CfSolverKind::kGibbs);
  CHECK(enum_names<CfSolverKind>() == std::vector<std::string>{"adam", "als", "gibbs", "wals"});
  CHECK_THROWS_WITH(load_run_options("", {"cf.solver=sgd"}),
                    "--set cf.solver=sgd: cf.solver: expected one of: adam, als, gibbs, wals, got "
                    "\"sgd\"");
}

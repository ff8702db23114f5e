#include "run/run_models.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "config/yaml_config.h"
#include "core/error.h"
#include "test_util.h"

using namespace towerrec;
using test::TempDir;

TEST_CASE("run models: the towers and the rating towers are read back with their header", "[run]") {
  TempDir dir;
  RunOptions opts = load_run_options(
      "", {"name=fallback", "model.dim=4", "model.user_hidden=[8]", "model.item_hidden=[8]"});
  CHECK_THROWS_WITH(load_run_towers(dir.path(), opts, nullptr),
                    dir.path() + ": no model.ckpt (training did not finish an epoch)");
  TwoTowerModel(3, 2, opts.model, 1).save(dir.file("model.ckpt"), {{"run", "demo"}, {"epoch", 7}});
  RunTowers t = load_run_towers(dir.path(), opts, nullptr);
  CHECK(t.checkpoint == dir.file("model.ckpt"));
  CHECK(t.model.user_in() == 3);
  CHECK(t.model.item_in() == 2);
  CHECK(t.run_name == "demo");
  CHECK(t.epoch == 7);
  CHECK_FALSE(t.rating.has_value());

  opts.model.rating_head = RatingHeadKind::kSeparate;
  CHECK_THROWS_WITH(load_run_towers(dir.path(), opts, nullptr),
                    Catch::Contains("no rating.ckpt (model.rating_head is separate"));
  TwoTowerModel(3, 2, opts.model, 2).save(dir.file("rating.ckpt"), nlohmann::json::object());
  TwoTowerModel(3, 2, opts.model, 1).save(dir.file("model.ckpt"), nlohmann::json::object());
  t = load_run_towers(dir.path(), opts, nullptr);
  REQUIRE(t.rating.has_value());
  CHECK(t.rating->user_in() == 3);
  CHECK(t.run_name == "fallback");  // no "run" in the header: the config's name
  CHECK(t.epoch == -1);
}

TEST_CASE("run models: a model.cf of another catalogue is refused by name", "[run]") {
  TempDir dir;
  CfOptions cf;
  CfModel(4, 6, cf).save(dir.file("model.cf"));
  CHECK(load_run_cf_model(dir.path(), 6).num_items() == 6);
  CHECK_THROWS_WITH(load_run_cf_model(dir.path(), 5),
                    dir.file("model.cf") + ": the model has 6 items, the run's data 5");
}

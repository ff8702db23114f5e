#include "run/run_directory.h"

#include <catch2/catch.hpp>

#include "config/yaml_config.h"
#include "core/error.h"
#include "test_util.h"

using namespace towerrec;
using test::TempDir;

TEST_CASE("run directory: files are named in one place", "[run]") {
  CHECK(run_file("models/x", kCheckpointFile) == "models/x/model.ckpt");
  CHECK(run_file("models/x", kRunConfigFile) == "models/x/config.yaml");
  RunOptions opts = load_run_options("", {"name=demo"});
  CHECK(run_dir_for(opts) == "models/demo");
  CHECK(run_dataset_dir(opts, "models/demo") == "models/demo/data");
  opts.out = "elsewhere";
  opts.data.dir = "ml";
  CHECK(run_dir_for(opts) == "elsewhere");
  CHECK(run_dataset_dir(opts, "elsewhere") == "ml");
}

TEST_CASE("run directory: a directory without config.yaml is not a run", "[run]") {
  TempDir dir;
  CHECK_FALSE(is_run_directory(dir.path()));
  CHECK_THROWS_WITH(run_config_path(dir.path()),
                    dir.path() +
                        ": not a run directory (no config.yaml; expected the output of `towerrec "
                        "train`)");
  dir.write("config.yaml", "name: x\n");
  CHECK(is_run_directory(dir.path()));
  CHECK(run_config_path(dir.path()) == dir.file("config.yaml"));
}

TEST_CASE("run directory: a missing model file names the file and why", "[run]") {
  TempDir dir;
  dir.write("config.yaml", "name: x\n");
  CHECK_THROWS_WITH(existing_checkpoint(dir.path()),
                    dir.path() + ": no model.ckpt (training did not finish an epoch)");
  CHECK_THROWS_WITH(existing_cf_model(dir.path()),
                    dir.path() + ": no model.cf (training did not finish)");
  CHECK_THROWS_WITH(existing_rating_checkpoint(dir.path()),
                    Catch::Contains("no rating.ckpt (model.rating_head is separate"));
  dir.write("model.ckpt", "");
  CHECK(existing_checkpoint(dir.path()) == dir.file("model.ckpt"));
}

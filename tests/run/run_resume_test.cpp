#include "run/run_resume.h"

#include <catch2/catch.hpp>

#include "config/yaml_config.h"
#include "core/error.h"
#include "run/run_fingerprint.h"
#include "test_util.h"

using namespace towerrec;
using test::TempDir;

TEST_CASE("run resume: the fingerprint ignores where the run is", "[run]") {
  RunOptions a = load_run_options("", {"name=r", "out=one"});
  RunOptions b = load_run_options("", {"name=r", "out=two"});
  CHECK(options_fingerprint(a) == options_fingerprint(b));
  b.train.epochs += 1;
  CHECK(options_fingerprint(a) != options_fingerprint(b));
}

TEST_CASE("run resume: what --resume refuses", "[run]") {
  TempDir dir;
  CHECK_THROWS_WITH(load_resume_options(dir.path()), Catch::Contains("not a run directory"));
  RunOptions cf = load_run_options("", {"model.kind=cf"});
  CHECK_THROWS_AS(resume_state_path(cf, dir.path()), UsageError);
  const RunOptions tt = load_run_options("", {"name=r"});
  CHECK_THROWS_WITH(resume_state_path(tt, dir.path()),
                    Catch::Contains(": no train_state.bin to resume from"));
  dir.write("train_state.bin", "");
  CHECK(resume_state_path(tt, dir.path()) == dir.file("train_state.bin"));
  CHECK_NOTHROW(check_resume_fingerprint(options_fingerprint(tt), tt, "s", dir.path()));
  CHECK_THROWS_WITH(check_resume_fingerprint(options_fingerprint(tt) + 1, tt, "s", dir.path()),
                    "s: written for a different config than " + dir.file("config.yaml") +
                        " (was it edited?); resuming needs the config the run was trained with");
}

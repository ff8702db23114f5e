#include "run/run_data.h"

#include "config/yaml_config.h"
#include "core/error.h"
#include "run/run_directory.h"
#include "run/run_inputs.h"

namespace towerrec {

RunData load_run_data(const std::string& run_dir, const RunCallbacks& cb) {
  RunData rd;
  rd.dir = run_dir;
  rd.options = load_run_options(run_config_path(run_dir));
  RunInputs in = prepare_run_inputs(rd.options, run_dir, cb);
  if (in.lab_mode())
    throw UsageError(
        run_dir +
        ": a course-lab run has no user or item catalogue (its rows are "
        "precomputed feature vectors); embed, recommend and similar need a ratings dataset");
  rd.data = std::move(in.data);
  rd.train_rows = std::move(in.split.train);
  rd.features = std::move(in.features);
  return rd;
}

}  // namespace towerrec

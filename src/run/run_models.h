// A finished run's trained models, read back from its directory (run/run_directory.h names the
// files) and checked against the features the run was rebuilt with (run/run_data.h,
// run/run_inputs.h): the one place `eval`, `export` and the offline jobs load a run's model.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cf/cf_model.h"
#include "config/options.h"
#include "model/two_tower_model.h"

namespace towerrec {

struct Features;

struct RunTowers {
  std::string checkpoint;  // <run>/model.ckpt
  TwoTowerModel model;
  std::optional<TwoTowerModel> rating;  // model.rating_head separate: <run>/rating.ckpt
  std::string run_name;                 // the checkpoint header's "run", else the config's name
  int64_t epoch = -1;                   // the checkpoint header's "epoch", -1 when absent
};

// The towers of a two-tower run trained with `opts` (its config.yaml). With `features`, each
// checkpoint is checked to fit them (check_checkpoint_fits). Throws Error naming the run when a
// file is missing, and the checkpoint reader's errors naming the file.
RunTowers load_run_towers(const std::string& run_dir, const RunOptions& opts,
                          const Features* features);

// model.cf of a CF run; throws Error naming the file when its item count is not `num_items` (a
// model.cf from another run of other data).
CfModel load_run_cf_model(const std::string& run_dir, int64_t num_items);

}  // namespace towerrec

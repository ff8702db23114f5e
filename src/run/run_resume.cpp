#include "run/run_resume.h"

#include <filesystem>

#include "config/yaml_config.h"
#include "core/error.h"
#include "run/run_directory.h"
#include "run/run_fingerprint.h"

namespace towerrec {

RunOptions load_resume_options(const std::string& run_dir) {
  RunOptions opts = load_run_options(run_config_path(run_dir));
  opts.out = run_dir;
  return opts;
}

std::string resume_state_path(const RunOptions& opts, const std::string& run_dir) {
  const std::string config = run_file(run_dir, kRunConfigFile);
  if (opts.model.kind == ModelKind::kCf)
    throw UsageError(run_dir +
                     ": --resume continues two-tower runs only; a cf run keeps no "
                     "per-epoch state (it trains in one pass): train it again with `towerrec "
                     "train --config " +
                     config + " --out " + run_dir + "`");
  const std::string state_path = run_file(run_dir, kTrainStateFile);
  if (!std::filesystem::exists(state_path))
    throw Error(run_dir + ": no " + kTrainStateFile +
                " to resume from (it is written at the end "
                "of every epoch: the run stopped before its first epoch ended): train it again "
                "with `towerrec train --config " +
                config + " --out " + run_dir + "`");
  return state_path;
}

void check_resume_fingerprint(uint64_t state_hash, const RunOptions& opts,
                              const std::string& state_path, const std::string& run_dir) {
  if (state_hash != options_fingerprint(opts))
    throw Error(state_path + ": written for a different config than " +
                run_file(run_dir, kRunConfigFile) +
                " (was it edited?); resuming needs the config the run was trained with");
}

}  // namespace towerrec

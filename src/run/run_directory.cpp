#include "run/run_directory.h"

#include <filesystem>

#include "core/error.h"

namespace towerrec {

std::string run_file(const std::string& run_dir, const char* file) { return run_dir + "/" + file; }

std::string run_dir_for(const RunOptions& opts) {
  return opts.out.empty() ? "models/" + opts.name : opts.out;
}

std::string run_dataset_dir(const RunOptions& opts, const std::string& run_dir) {
  return opts.data.dir.empty() ? run_file(run_dir, kRunDataDir) : opts.data.dir;
}

bool is_run_directory(const std::string& dir) {
  return std::filesystem::exists(run_file(dir, kRunConfigFile));
}

std::string run_config_path(const std::string& run_dir) {
  if (!is_run_directory(run_dir))
    throw Error(run_dir + ": not a run directory (no " + kRunConfigFile +
                "; expected the output of `towerrec train`)");
  return run_file(run_dir, kRunConfigFile);
}

std::string existing_run_file(const std::string& run_dir, const char* file,
                              const std::string& why_missing) {
  const std::string path = run_file(run_dir, file);
  if (!std::filesystem::exists(path))
    throw Error(run_dir + ": no " + file + " (" + why_missing + ")");
  return path;
}

std::string existing_checkpoint(const std::string& run_dir) {
  return existing_run_file(run_dir, kCheckpointFile, "training did not finish an epoch");
}

std::string existing_rating_checkpoint(const std::string& run_dir) {
  return existing_run_file(
      run_dir, kRatingCheckpointFile,
      "model.rating_head is separate: training did not finish the rating towers");
}

std::string existing_cf_model(const std::string& run_dir) {
  return existing_run_file(run_dir, kCfModelFile, "training did not finish");
}

}  // namespace towerrec

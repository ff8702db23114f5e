#include "run/current_run_data.h"

#include <algorithm>
#include <filesystem>
#include <numeric>

#include "config/yaml_config.h"
#include "core/error.h"
#include "data/data_files.h"
#include "data/dataset_reader.h"
#include "features/current_features.h"
#include "features/fitted_features.h"
#include "run/run_directory.h"

namespace towerrec {
namespace {

namespace fs = std::filesystem;

void log_note(const RunCallbacks& cb, const std::string& msg) {
  if (cb.log) cb.log(msg);
}

// The file its catalogue comes from: the titles file when present, else its ratings file.
std::string catalogue_file(const std::string& dir, DataFormat format) {
  const char* name = format == DataFormat::kMl100k ? "u.item"
                     : format == DataFormat::kMl1m ? "movies.dat"
                                                   : "movies.csv";
  return data_file_exists(data_file(dir, name)) ? data_file(dir, name)
                                                : data_file(dir, format_ratings_file(format));
}

std::string id_range(const IdMap& ids) {
  if (ids.size() == 0) return "none";
  const auto [lo, hi] = std::minmax_element(ids.ids().begin(), ids.ids().end());
  return std::to_string(*lo) + ".." + std::to_string(*hi);
}

int32_t count_known(const IdMap& current, const IdMap& run) {
  int32_t n = 0;
  for (int64_t id : current.ids()) n += run.find(id) >= 0;
  return n;
}

// The run's own dataset, read only to compare with today's. False when it is gone (a snapshot
// deleted after training): the comparisons are then skipped, with a note.
bool read_run_dataset(const RunOptions& o, const std::string& run_dir, const RunCallbacks& cb,
                      Dataset& out) {
  const std::string dir = run_dataset_dir(o, run_dir);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    log_note(cb, "the run's data (" + dir + ") is not there: --data is not compared with it");
    return false;
  }
  out = read_dataset(dir, o.data);
  return true;
}

Dataset read_current(const RunOptions& o, const std::string& data_dir, const Dataset* run) {
  const DataFormat format = detect_format(data_dir);
  const DataFormat run_format = run ? run->format : o.data.format;
  if (run_format != DataFormat::kAuto && format != run_format)
    throw Error(data_file(data_dir, format_ratings_file(format)) + ": the data is in format " +
                enum_name(format) + ", the run was trained on " + enum_name(run_format) +
                " data (" + format_ratings_file(run_format) + "); score data in the run's format");
  if (format == DataFormat::kContentLab || format == DataFormat::kCfLab)
    throw UsageError(data_dir + ": " + enum_name(format) +
                     " data has no user or item catalogue; --data needs ratings data");
  DataOptions d = o.data;
  d.dir = data_dir;
  d.format = format;
  try {
    return read_dataset(data_dir, d);
  } catch (const InputError& e) {
    if (e.message().find("field 'rating'") == std::string::npos) throw;
    throw InputError(e.file(), e.line(),
                     e.message() + " (the run's rating scale, data.rating_min..rating_max)");
  }
}

}  // namespace

RunData load_run_on_data(const std::string& run_dir, const std::string& data_dir,
                         const RunCallbacks& cb) {
  RunData rd;
  rd.dir = run_dir;
  rd.options = load_run_options(run_config_path(run_dir));
  if (rd.options.model.kind != ModelKind::kTwoTower)
    throw UsageError(run_dir + ": model.kind is " + std::string(enum_name(rd.options.model.kind)) +
                     "; --data needs a two-tower run (its towers score users and items from "
                     "features)");
  const FittedFeatures fitted = FittedFeatures::load(run_file(run_dir, kFeaturesFile));
  Dataset run_data;
  const bool have_run = read_run_dataset(rd.options, run_dir, cb, run_data);
  rd.data = read_current(rd.options, data_dir, have_run ? &run_data : nullptr);
  if (have_run) {
    const int32_t known_items = count_known(rd.data.items, run_data.items);
    if (known_items == 0)
      throw Error(catalogue_file(data_dir, rd.data.format) + ": none of its " +
                  std::to_string(rd.data.num_items()) + " items (ids " + id_range(rd.data.items) +
                  ") is one of the run's " + std::to_string(run_data.num_items()) + " (ids " +
                  id_range(run_data.items) + "); is this the run's data?");
    const int32_t known_users = count_known(rd.data.users, run_data.users);
    log_note(cb, "scoring " + data_dir + ": " + std::to_string(rd.data.num_users()) + " users (" +
                     std::to_string(rd.data.num_users() - known_users) + " new), " +
                     std::to_string(rd.data.num_items()) + " items (" +
                     std::to_string(rd.data.num_items() - known_items) + " new), " +
                     std::to_string(rd.data.ratings.size()) + " ratings");
  }
  CurrentFeatures cf = build_current_features(rd.data, fitted, rd.options.features);
  const std::string warning = cf.warning();
  if (!warning.empty()) log_note(cb, "warning: " + data_dir + ": " + warning);
  rd.features = std::move(cf.features);
  rd.train_rows.resize(rd.data.ratings.size());
  std::iota(rd.train_rows.begin(), rd.train_rows.end(), 0u);
  return rd;
}

RunData load_scoring_data(const std::string& run_dir, const std::string& data_dir,
                          const RunCallbacks& cb) {
  return data_dir.empty() ? load_run_data(run_dir, cb) : load_run_on_data(run_dir, data_dir, cb);
}

}  // namespace towerrec

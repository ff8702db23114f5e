// Everything a run computes from its config before the model: the dataset (read, or the synthetic
// default generated once), the split, the validation part of the training split and the features
// fit on the training split. Built the same way for training, `eval` and the offline jobs (serve/),
// so a run read back sees exactly the rows and features it was trained on.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/options.h"
#include "data/content_lab.h"
#include "data/dataset.h"
#include "data/split.h"
#include "features/features.h"
#include "run/run_callbacks.h"

namespace towerrec {

struct RunInputs {
  std::string data_dir;
  Dataset data;
  Split split;
  std::vector<uint32_t> fit_rows;  // training split minus the validation part
  std::vector<uint32_t> val_rows;  // validation part (early stopping)
  Features features;
  std::unique_ptr<ContentLab> lab;  // course-lab mode: features per training row
  bool lab_mode() const { return lab != nullptr; }
};

// The dataset directory of a run: data.dir, or (empty) <run_dir>/data, generating the synthetic
// default there the first time.
std::string prepare_data_dir(const RunOptions& opts, const std::string& run_dir,
                             const RunCallbacks& cb);

// Reads the data (prepare_data_dir), splits it, carves the seeded validation part and builds the
// features on the training split. Throws Error when the split leaves train or test empty, or when
// a ranking loss has no training rating at train.positive_min_rating; the readers' errors pass
// through. Writes nothing but the synthetic default.
RunInputs prepare_run_inputs(const RunOptions& opts, const std::string& run_dir,
                             const RunCallbacks& cb);

}  // namespace towerrec

// The one YAML loader. Reads an options struct (anything with visit(), see config/field.h) from a
// YAML file, rejecting unknown keys, wrong types and out-of-range values with "file:line: key:
// expected ..., got ...". Command-line overrides (--set train.lr=0.01) are applied first and named
// in errors as such. The YAML visitor itself lives in config/yaml_loader.h, so the CLI and the run
// code that only load a config do not parse yaml-cpp's headers (~1.7 s per file).
#pragma once

#include <string>
#include <vector>

#include "config/options.h"

namespace towerrec {

// Loads `path` (empty = defaults only), applies `sets` ("a.b=value"), checks everything.
RunOptions load_run_options(const std::string& path, const std::vector<std::string>& sets = {});

// The resolved config as YAML, every field written out with its doc line as a comment.
std::string dump_run_options(const RunOptions& opts);

// A documentation table of every key: "train.lr  (default 0.001)  Adam learning rate".
std::string describe_run_options();

}  // namespace towerrec

#include "run/run_fingerprint.h"

#include "config/yaml_config.h"
#include "core/byte_cursor.h"

namespace towerrec {

uint64_t config_fingerprint(const std::string& text) { return fnv1a(text.data(), text.size()); }

uint64_t options_fingerprint(RunOptions opts) {
  opts.out.clear();
  return config_fingerprint(dump_run_options(opts));
}

}  // namespace towerrec

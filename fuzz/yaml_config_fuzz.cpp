// The YAML config loader (config/yaml_config.h). The first byte picks the channel: 0 loads the rest
// as a config file, 1 applies it as one --set override, 2 loads it as a file with an override on
// top. A config that loads must dump to YAML that loads back to the same dump.
#include "config/yaml_config.h"
#include "core/error.h"
#include "fuzz_target.h"

// Named, not anonymous: unity builds put several targets (each with its run()) in one translation
// unit of towerrec_tests.
namespace towerrec::fuzz::yaml_config_fuzz {

void run(std::string_view input) {
  const uint8_t mode = input.empty() ? 0 : static_cast<uint8_t>(input[0]) % 3;
  if (!input.empty()) input.remove_prefix(1);
  RunOptions opts;
  if (mode == 1) {
    opts = load_run_options("", {std::string(input)});
  } else {
    const std::string path = write_scratch("config.yaml", input);
    opts = mode == 2 ? load_run_options(path, {"train.epochs=2"}) : load_run_options(path);
  }
  const std::string dumped = dump_run_options(opts);
  const RunOptions again = load_run_options(write_scratch("dumped.yaml", dumped));
  TOWERREC_CHECK(dump_run_options(again) == dumped);
}

}  // namespace towerrec::fuzz::yaml_config_fuzz

TOWERREC_FUZZ_TARGET(yaml_config, towerrec::fuzz::yaml_config_fuzz::run)

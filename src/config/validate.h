// The one place for the rules between options that no single field's Check (config/field.h)
// expresses, and for data.split's grammar. The YAML loader (config/yaml_config.h) reports the
// first broken rule at the line of the key it blames (or the --set that gave it); library entry
// points that take options built by hand (train_cf) check them with throw_if_invalid.
#pragma once

#include <string>
#include <vector>

#include "config/options.h"

namespace towerrec {

// A broken rule: the key to blame ("cf.burn_in"), what was expected there and what was found.
struct Violation {
  std::string key;
  std::string expected;
  std::string found;
  std::vector<std::string> also;  // the rule's other keys (blamed when `key` is a default)
};

// The run's cross-field rules (data, cf, train sections, in that order) and data.split's grammar;
// empty when all hold. Single fields are checked by the loader as they are read.
std::vector<Violation> validate(const RunOptions& opts);

// The cf section alone, for options that never went through the loader: every field against its
// Check in CfOptions::visit, then the section's cross-field rules. Keys are "cf.<field>".
std::vector<Violation> validate(const CfOptions& cf);

// Throws Error "<who>: <key>: expected <expected>, found <found>" for the first violation of
// validate(cf).
void throw_if_invalid(const CfOptions& cf, const std::string& who);

}  // namespace towerrec

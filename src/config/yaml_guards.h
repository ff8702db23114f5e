// Checks for what yaml-cpp 0.7 accepts but a config must not hold: anchors and aliases (a few
// lines of them can stand for an exponential tree), repeated keys (lookups return the first) and
// quoted scalars that are never closed (they swallow the rest of the file). Each throws
// ConfigError with the file and line.
#pragma once

#include <cstdint>
#include <string>

#include <yaml-cpp/node/node.h>

namespace towerrec {

// What an anchor or alias is refused with.
inline constexpr const char* kNoAnchors = "anchors and aliases are not supported";

// The 1-based line of the first anchor (&a) or alias (*a) in the first document of `text`, or 0.
// Throws YAML::Exception when the text is not valid YAML.
int64_t first_anchor_line(const std::string& text);

// Refuses the first anchor (&a) or alias (*a) of `text`, before any tree is built. Throws
// YAML::Exception when the text is not valid YAML.
void reject_anchors(const std::string& text, const std::string& file);

// Refuses the first repeated key or unterminated quoted scalar of `root`, the tree loaded from
// `text`.
void reject_hostile_tree(const YAML::Node& root, const std::string& text, const std::string& file);

}  // namespace towerrec

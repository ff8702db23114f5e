// The YamlLoader's reads of each value type, and the --set override (config/yaml_loader.h).
#include "config/yaml_loader.h"

#include <limits>
#include <sstream>
#include <vector>

#include "config/yaml_guards.h"
#include "core/utf8.h"

namespace towerrec {
namespace detail {

std::string YamlLoader::kind_of(const YAML::Node& n) {
  if (n.IsMap()) return "mapping";
  if (n.IsSequence()) return "list";
  if (n.IsScalar()) return "scalar";
  return "null";
}

std::string YamlLoader::scalar_of(const YAML::Node& n) const {
  if (n.IsScalar()) return quote_found(n.Scalar());
  return "a " + kind_of(n);
}

void YamlLoader::fail(const YAML::Node& n, const std::string& path, const std::string& expected,
                      const std::string& found) const {
  std::string msg = path + ": expected " + expected + ", got " + found;
  if (origins_) {
    // An override from the command line is named as such, not by a line of the file.
    for (const auto& [key, origin] : *origins_) {
      if (path == key || path.rfind(key + ".", 0) == 0) throw ConfigError(origin, msg);
    }
  }
  throw ConfigError(file_, n.Mark().is_null() ? 0 : n.Mark().line + 1, msg);
}

void YamlLoader::reject_unknown() const {
  if (!node_.IsMap()) return;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string key = it->first.Scalar();
    if (seen_.count(key)) continue;
    std::string known;
    for (const auto& k : seen_) known += (known.empty() ? "" : ", ") + k;
    fail(it->first, prefix_ + key, "a known key (" + known + ")", "unknown key '" + key + "'");
  }
}

void YamlLoader::read_value(const YAML::Node& n, const std::string& path, std::string& out,
                            const Check& c) {
  if (!n.IsScalar()) fail(n, path, c.describe("a string"), "a " + kind_of(n));
  const std::string v = n.Scalar();
  // Strings end up in run names, paths and JSON (whose writer throws on invalid UTF-8).
  if (find_invalid_utf8(v) != std::string::npos)
    fail(n, path, c.describe("a string") + " in UTF-8", quote_found(v));
  if (!c.choices.empty()) {
    bool ok = false;
    for (const auto& ch : c.choices) ok = ok || ch == v;
    if (!ok) fail(n, path, c.describe("a string"), quote_found(v));
  }
  out = v;
}

void YamlLoader::read_value(const YAML::Node& n, const std::string& path, bool& out, const Check&) {
  bool v = false;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v))
    fail(n, path, "true or false", scalar_of(n));
  out = v;
}

namespace {
bool parse_double(const std::string& s, double& v) {
  if (s.empty()) return false;
  std::istringstream in(s);
  in.imbue(std::locale::classic());
  in >> v;
  return !in.fail() && in.eof() && std::isfinite(v);
}
bool parse_int(const std::string& s, int64_t& v) {
  if (s.empty()) return false;
  size_t pos = 0;
  try {
    long long x = std::stoll(s, &pos, 10);
    v = x;
  } catch (...) {
    return false;
  }
  return pos == s.size();
}
}  // namespace

void YamlLoader::read_value(const YAML::Node& n, const std::string& path, double& out,
                            const Check& c) {
  double v = 0;
  if (!n.IsScalar() || !parse_double(n.Scalar(), v))
    fail(n, path, c.describe("a number"), scalar_of(n));
  if ((c.min && (c.min_exclusive ? v <= *c.min : v < *c.min)) || (c.max && v > *c.max))
    fail(n, path, c.describe("a number"), scalar_of(n));
  out = v;
}

void YamlLoader::read_value(const YAML::Node& n, const std::string& path, int64_t& out,
                            const Check& c) {
  int64_t v = 0;
  if (!n.IsScalar() || !parse_int(n.Scalar(), v))
    fail(n, path, c.describe("an integer"), scalar_of(n));
  const double d = static_cast<double>(v);
  if ((c.min && (c.min_exclusive ? d <= *c.min : d < *c.min)) || (c.max && d > *c.max))
    fail(n, path, c.describe("an integer"), scalar_of(n));
  out = v;
}

void YamlLoader::read_value(const YAML::Node& n, const std::string& path, uint64_t& out,
                            const Check& c) {
  int64_t v = 0;
  if (!n.IsScalar() || !parse_int(n.Scalar(), v) || v < 0)
    fail(n, path, c.describe("a non-negative integer"), scalar_of(n));
  out = static_cast<uint64_t>(v);
}

void YamlLoader::read_value(const YAML::Node& n, const std::string& path, std::vector<int64_t>& out,
                            const Check& c) {
  if (!n.IsSequence()) fail(n, path, "a list of integers", scalar_of(n));
  std::vector<int64_t> v;
  for (size_t i = 0; i < n.size(); ++i) {
    int64_t x = 0;
    if (!n[i].IsScalar() || !parse_int(n[i].Scalar(), x) || x < 1)
      fail(n[i], path + "[" + std::to_string(i) + "]", "a positive integer", scalar_of(n[i]));
    v.push_back(x);
  }
  out = v;
}

void YamlLoader::read_value(const YAML::Node& n, const std::string& path,
                            std::vector<std::string>& out, const Check& c) {
  if (!n.IsSequence()) fail(n, path, "a list of strings", scalar_of(n));
  std::vector<std::string> v;
  for (size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsScalar())
      fail(n[i], path + "[" + std::to_string(i) + "]", "a string", scalar_of(n[i]));
    v.push_back(n[i].Scalar());
  }
  out = v;
}

}  // namespace detail

void apply_override(YAML::Node& root, const std::string& assignment,
                    std::map<std::string, std::string>& origins) {
  const size_t eq = assignment.find('=');
  const std::string origin = "--set " + assignment;
  if (eq == std::string::npos || eq == 0)
    throw UsageError(origin + ": expected key=value, e.g. --set train.lr=0.01");
  const std::string key = assignment.substr(0, eq);
  const std::string value = assignment.substr(eq + 1);
  std::vector<std::string> parts;
  std::string part;
  std::istringstream ks(key);
  while (std::getline(ks, part, '.')) {
    if (part.empty()) throw UsageError(origin + ": empty key component in '" + key + "'");
    parts.push_back(part);
  }
  YAML::Node parsed;
  try {
    if (first_anchor_line(value) > 0) throw UsageError(origin + ": " + kNoAnchors);
    parsed = YAML::Load(value);
  } catch (const YAML::Exception& e) {
    throw UsageError(origin + ": value is not valid YAML: " + e.msg);
  }
  if (!root.IsDefined() || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) throw UsageError(origin + ": the config is not a mapping of keys");
  // yaml-cpp nodes are handles: walk with copies that alias the tree. Use reset() semantics
  // carefully.
  std::vector<YAML::Node> chain{root};
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    YAML::Node next = chain.back()[parts[i]];
    if (!next.IsDefined() || next.IsNull()) {
      chain.back()[parts[i]] = YAML::Node(YAML::NodeType::Map);
      next = chain.back()[parts[i]];
    } else if (!next.IsMap()) {
      throw UsageError(origin + ": '" + parts[i] + "' is not a section");
    }
    chain.push_back(next);
  }
  chain.back()[parts.back()] = parsed;
  origins[key] = origin;
}

}  // namespace towerrec

#include "config/yaml_config.h"

#include <filesystem>
#include <iomanip>
#include <limits>
#include <sstream>
#include <vector>

#include <yaml-cpp/exceptions.h>

#include "config/validate.h"
#include "config/yaml_guards.h"
#include "config/yaml_loader.h"
#include "core/atomic_file.h"
#include "core/utf8.h"

namespace towerrec {
namespace detail {

// Writes the fields of a struct as YAML with doc comments.
class YamlDumper {
 public:
  explicit YamlDumper(YAML::Emitter& e) : e_(e) {}
  template <class T>
  void field(const char* key, const T& value, const char* doc, const Check& = Check::any()) {
    e_ << YAML::Key << key << YAML::Value;
    write(value);
    e_ << YAML::Comment(doc);
  }
  template <class T>
  void section(const char* key, const T& value, const char* doc) {
    e_ << YAML::Key << key << YAML::Comment(doc) << YAML::Value << YAML::BeginMap;
    const_cast<T&>(value).visit(*this);
    e_ << YAML::EndMap;
  }

 private:
  void write(const std::string& v) { e_ << YAML::DoubleQuoted << v; }
  template <class E, std::enable_if_t<is_option_enum<E>::value, int> = 0>
  void write(E v) {
    write(std::string(enum_name(v)));
  }
  void write(bool v) { e_ << (v ? "true" : "false"); }
  void write(double v) {
    std::ostringstream s;
    s << std::setprecision(std::numeric_limits<double>::max_digits10 - 2) << v;
    e_ << s.str();
  }
  void write(int64_t v) { e_ << v; }
  void write(uint64_t v) { e_ << v; }
  template <class T>
  void write(const std::vector<T>& v) {
    e_ << YAML::Flow << YAML::BeginSeq;
    for (const auto& x : v) e_ << x;
    e_ << YAML::EndSeq;
  }
  YAML::Emitter& e_;
};

// Lists every key with its default and doc line.
class Describer {
 public:
  explicit Describer(std::ostringstream& out, std::string prefix = "")
      : out_(out), prefix_(std::move(prefix)) {}
  template <class T>
  void field(const char* key, const T& value, const char* doc, const Check& = Check::any()) {
    YAML::Emitter e;
    e << YAML::Flow;
    emit(e, value);
    out_ << "  " << std::left << std::setw(30) << (prefix_ + key) << " " << std::setw(18)
         << e.c_str() << " " << doc << "\n";
  }
  template <class T>
  void section(const char* key, const T& value, const char* doc) {
    out_ << (prefix_ + key) << ":  " << doc << "\n";
    Describer sub(out_, prefix_ + key + ".");
    const_cast<T&>(value).visit(sub);
  }

 private:
  static void emit(YAML::Emitter& e, const std::string& v) { e << YAML::DoubleQuoted << v; }

  template <class T>
  static void emit(YAML::Emitter& e, const T& v) {
    emit_value(e, v);
  }
  static void emit_value(YAML::Emitter& e, bool v) { e << (v ? "true" : "false"); }
  template <class E, std::enable_if_t<is_option_enum<E>::value, int> = 0>
  static void emit_value(YAML::Emitter& e, E v) {
    emit(e, std::string(enum_name(v)));
  }
  static void emit_value(YAML::Emitter& e, double v) {
    std::ostringstream s;
    s << v;
    e << s.str();
  }
  static void emit_value(YAML::Emitter& e, int64_t v) { e << v; }
  static void emit_value(YAML::Emitter& e, uint64_t v) { e << v; }
  template <class T>
  static void emit_value(YAML::Emitter& e, const std::vector<T>& v) {
    e << YAML::BeginSeq;
    for (const auto& x : v) e << x;
    e << YAML::EndSeq;
  }
  std::ostringstream& out_;
  std::string prefix_;
};

}  // namespace detail

namespace {

// The node of a dotted key in the tree, or an undefined node when the tree does not set it.
// yaml-cpp's Node::operator= writes into the tree: walk with copies (handles) instead.
YAML::Node node_at(const YAML::Node& root, const std::string& dotted) {
  std::vector<YAML::Node> chain{root};
  std::istringstream parts(dotted);
  std::string part;
  while (std::getline(parts, part, '.')) {
    const YAML::Node& at = chain.back();
    if (!at.IsMap() || !at[part].IsDefined()) return YAML::Node(YAML::NodeType::Undefined);
    chain.push_back(at[part]);
  }
  return chain.back();
}

// The first broken cross-field rule (config/validate.h), blamed on the --set that gave its key or
// the line that sets it; when neither gave it (a default), on the first of the rule's other keys
// that was given, so a --set that broke the rule is named.
void report_violations(const YAML::Node& root, const std::string& file, const RunOptions& opts,
                       const std::map<std::string, std::string>& origins) {
  const std::vector<Violation> violations = validate(opts);
  if (violations.empty()) return;
  const Violation& v = violations.front();
  const std::string msg = v.key + ": expected " + v.expected + ", got " + v.found;
  std::vector<std::string> keys{v.key};
  keys.insert(keys.end(), v.also.begin(), v.also.end());
  for (const std::string& key : keys) {
    for (const auto& [set_key, origin] : origins)
      if (key == set_key || key.rfind(set_key + ".", 0) == 0) throw ConfigError(origin, msg);
    const YAML::Node n = node_at(root, key);
    if (n.IsDefined() && !n.Mark().is_null()) throw ConfigError(file, n.Mark().line + 1, msg);
  }
  throw ConfigError(file, 0, msg);
}

}  // namespace

RunOptions load_run_options(const std::string& path, const std::vector<std::string>& sets) {
  YAML::Node root;
  if (!path.empty()) {
    const std::string text = read_file(path);
    try {
      reject_anchors(text, path);
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      throw ConfigError(path, e.mark.is_null() ? 0 : e.mark.line + 1, "invalid YAML: " + e.msg);
    }
    // An empty (or comments-only) file is almost always a mistake (a wrong path, a truncated copy),
    // and it would silently train the synthetic default.
    if (!root.IsDefined() || root.IsNull())
      throw ConfigError(path, 0,
                        "empty config: expected a mapping of keys (`towerrec config --keys` lists "
                        "them)");
    reject_hostile_tree(root, text, path);
  }
  std::map<std::string, std::string> origins;
  // Checked before the overrides: indexing a scalar or list root by key throws YAML::BadSubscript.
  if (root.IsDefined() && !root.IsNull() && !root.IsMap()) {
    detail::YamlLoader(root, path, "", nullptr)
        .fail(root, "(top level)", "a mapping of keys", "not a mapping");
  }
  for (const auto& s : sets) apply_override(root, s, origins);
  RunOptions opts;
  load_options(root, path.empty() ? "(defaults)" : path, opts, &origins);
  if (opts.data.rating_max <= opts.data.rating_min)
    throw ConfigError(path, 0, "data.rating_max must be greater than data.rating_min");
  report_violations(root, path.empty() ? "(defaults)" : path, opts, origins);
  if (opts.model.user_hidden.empty() && opts.model.item_hidden.empty()) {
    // Zero hidden layers is legal (a linear tower).
  }
  return opts;
}

std::string dump_run_options(const RunOptions& opts) {
  YAML::Emitter e;
  e << YAML::BeginMap;
  detail::YamlDumper d(e);
  const_cast<RunOptions&>(opts).visit(d);
  e << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

std::string describe_run_options() {
  std::ostringstream out;
  RunOptions defaults;
  detail::Describer d(out);
  defaults.visit(d);
  return out.str();
}

}  // namespace towerrec

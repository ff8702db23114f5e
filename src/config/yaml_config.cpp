#include "config/yaml_config.h"

#include <filesystem>
#include <iomanip>
#include <limits>
#include <sstream>
#include <vector>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include "config/validate.h"
#include "config/yaml_loader.h"
#include "core/atomic_file.h"
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

// Walks the parser's events (no tree is built) and stops at the first anchor or alias.
class AnchorFinder : public YAML::EventHandler {
 public:
  struct Found {
    YAML::Mark mark;
  };
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t a) override { check(m, a); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { throw Found{m}; }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t a,
                const std::string&) override {
    check(m, a);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t a,
                       YAML::EmitterStyle::value) override {
    check(m, a);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t a,
                  YAML::EmitterStyle::value) override {
    check(m, a);
  }
  void OnMapEnd() override {}
  void OnAnchor(const YAML::Mark& m, const std::string&) override { throw Found{m}; }

 private:
  static void check(const YAML::Mark& m, YAML::anchor_t a) {
    if (a != YAML::NullAnchor) throw Found{m};
  }
};

// The 1-based line of the first anchor (&a) or alias (*a) in the first document of `text`, or 0.
// Aliases share a node, so a few lines of them stand for an exponential tree (the "billion
// laughs" file) that every later walk over the nodes would expand; configs have no use for them,
// so they are refused before any tree is built. One pass over the events: linear in the text.
// Throws YAML::Exception when the text is not valid YAML.
int64_t first_anchor_line(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  AnchorFinder finder;
  try {
    parser.HandleNextDocument(finder);
  } catch (const AnchorFinder::Found& f) {
    return f.mark.is_null() ? 1 : f.mark.line + 1;
  } catch (const YAML::ParserException& e) {
    // An alias of an undefined anchor fails in the parser, before its event.
    if (e.msg != YAML::ErrorMsg::UNKNOWN_ANCHOR) throw;
    return e.mark.is_null() ? 1 : e.mark.line + 1;
  }
  return 0;
}

constexpr const char* kNoAnchors = "anchors and aliases are not supported";

}  // namespace

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

namespace {

// yaml-cpp 0.7 keeps both entries of a repeated key and lookups return the first, so a second
// `lr:` further down a long config would be silently ignored. Every mapping is checked here, by
// the keys' marks, before any value is read.
// The dotted key path is kept as a stack and joined only for a message, so the pass stays linear
// in the text however deep and long the keys are.
void reject_duplicate_keys(const YAML::Node& n, const std::string& file,
                           std::vector<std::string>& path) {
  if (n.IsMap()) {
    std::map<std::string, int64_t> first_line;
    for (auto it = n.begin(); it != n.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string("?");
      const int64_t line = it->first.Mark().is_null() ? 0 : it->first.Mark().line + 1;
      const auto [pos, inserted] = first_line.emplace(key, line);
      if (!inserted) {
        std::string dotted;
        for (const std::string& p : path) dotted += p + ".";
        throw ConfigError(file, line,
                          dotted + key +
                              ": expected each key once, found it again (first at line " +
                              std::to_string(pos->second) + ")");
      }
      path.push_back(key);
      reject_duplicate_keys(it->second, file, path);
      path.pop_back();
    }
  } else if (n.IsSequence()) {
    for (size_t i = 0; i < n.size(); ++i) reject_duplicate_keys(n[i], file, path);
  }
}

// True when the quoted scalar opening at text[pos] is closed before the end of the text.
bool quote_closes(const std::string& text, size_t pos) {
  const char q = text[pos];
  for (size_t i = pos + 1; i < text.size(); ++i) {
    if (q == '"' && text[i] == '\\') {
      ++i;  // an escape; the next character is literal
    } else if (text[i] == q) {
      if (q == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;  // '' is one quote inside a single-quoted scalar
      } else {
        return true;
      }
    }
  }
  return false;
}

// yaml-cpp 0.7 also accepts a quoted scalar that is never closed, ending it at the end of the file
// (so `name: "abc` swallows every key after it). Quoted scalars carry the tag "!" and their mark is
// the opening quote: check that each one closes.
void reject_unterminated_quotes(const YAML::Node& n, const std::string& text, size_t bom,
                                const std::string& file) {
  if (n.IsScalar() && n.Tag() == "!" && !n.Mark().is_null()) {
    const size_t pos = static_cast<size_t>(n.Mark().pos) + bom;
    if (pos < text.size() && (text[pos] == '"' || text[pos] == '\'') && !quote_closes(text, pos))
      throw ConfigError(file, n.Mark().line + 1,
                        std::string("invalid YAML: unterminated quoted string: the ") + text[pos] +
                            " opened on this line is never closed");
  } else if (n.IsMap()) {
    for (auto it = n.begin(); it != n.end(); ++it) {
      reject_unterminated_quotes(it->first, text, bom, file);
      reject_unterminated_quotes(it->second, text, bom, file);
    }
  } else if (n.IsSequence()) {
    for (size_t i = 0; i < n.size(); ++i) reject_unterminated_quotes(n[i], text, bom, file);
  }
}

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
      if (const int64_t line = first_anchor_line(text)) throw ConfigError(path, line, kNoAnchors);
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
    // yaml-cpp's marks count from after a UTF-8 byte-order mark.
    const size_t bom = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
    reject_unterminated_quotes(root, text, bom, path);
    std::vector<std::string> keys;
    reject_duplicate_keys(root, path, keys);
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

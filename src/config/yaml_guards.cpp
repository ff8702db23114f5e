#include "config/yaml_guards.h"

#include <map>
#include <sstream>
#include <vector>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include "core/error.h"

namespace towerrec {
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

}  // namespace

// Aliases share a node, so a few lines of them stand for an exponential tree (the "billion
// laughs" file) that every later walk over the nodes would expand; configs have no use for them,
// so they are refused before any tree is built. One pass over the events: linear in the text.
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

}  // namespace

void reject_anchors(const std::string& text, const std::string& file) {
  if (const int64_t line = first_anchor_line(text)) throw ConfigError(file, line, kNoAnchors);
}

void reject_hostile_tree(const YAML::Node& root, const std::string& text, const std::string& file) {
  // yaml-cpp's marks count from after a UTF-8 byte-order mark.
  const size_t bom = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  reject_unterminated_quotes(root, text, bom, file);
  std::vector<std::string> keys;
  reject_duplicate_keys(root, file, keys);
}

}  // namespace towerrec

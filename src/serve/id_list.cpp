#include "serve/id_list.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>

#include "core/error.h"
#include "data/dataset.h"

namespace towerrec {
namespace {

bool parse_id(const std::string& s, int64_t& out) {
  const char* b = s.data();
  const char* e = s.data() + s.size();
  const auto r = std::from_chars(b, e, out);
  return r.ec == std::errc() && r.ptr == e && b != e;
}

std::string catalogue(const IdMap& ids, const std::string& noun) {
  std::string s = "the run has " + std::to_string(ids.size()) + " " + noun + "s";
  if (ids.size() > 0) {
    int64_t lo = ids.id(0), hi = ids.id(0);
    for (int64_t v : ids.ids()) lo = std::min(lo, v), hi = std::max(hi, v);
    s += ", ids " + std::to_string(lo) + ".." + std::to_string(hi);
  }
  return s;
}

// Why `text` is not an index of `ids`; empty when it is (index in `out`).
std::string lookup(const IdMap& ids, const std::string& text, const std::string& noun,
                   int32_t& out) {
  int64_t v = 0;
  if (!parse_id(text, v)) return "expected an integer " + noun + " id, got " + quote_found(text);
  out = ids.find(v);
  if (out < 0) return "no such " + noun + " id " + text + " (" + catalogue(ids, noun) + ")";
  return "";
}

}  // namespace

int32_t resolve_id(const IdMap& ids, const std::string& text, const std::string& what,
                   const std::string& noun) {
  int32_t idx = -1;
  const std::string why = lookup(ids, text, noun, idx);
  if (!why.empty()) throw Error(what + " " + text + ": " + why);
  return idx;
}

std::vector<int32_t> read_id_list(const std::string& path, const IdMap& ids,
                                  const std::string& noun) {
  std::ifstream in(path);
  if (!in) throw IoError("cannot read " + path + ": " + std::strerror(errno));
  std::vector<int32_t> out;
  std::string line;
  int64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos || line[b] == '#') continue;
    const size_t e = line.find_last_not_of(" \t");
    int32_t idx = -1;
    const std::string why = lookup(ids, line.substr(b, e + 1 - b), noun, idx);
    if (!why.empty()) throw InputError(path, n, why);
    out.push_back(idx);
  }
  return out;
}

}  // namespace towerrec

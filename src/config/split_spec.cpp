#include "config/split_spec.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <vector>

#include <fast_float/fast_float.h>

#include "core/error.h"

namespace towerrec {
namespace {

std::vector<std::string> spec_parts(const std::string& s) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const size_t pos = s.find(':', start);
    parts.push_back(s.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) return parts;
    start = pos + 1;
  }
}

template <class T>
bool spec_int(const std::string& s, T& out) {
  if (s.empty() || s[0] == '+' || s[0] == '-') return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool spec_double(const std::string& s, double& out) {
  if (s.empty()) return false;
  const auto [end, ec] = fast_float::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

const char* const kSplitGrammar =
    "random:FRACTION:SEED (FRACTION in (0,1)), temporal:N or ml100k:FOLD (u1..u5, ua, ub)";

SplitSpec SplitSpec::parse(const std::string& spec, const std::string& where) {
  auto fail = [&]() -> SplitSpec {
    throw UsageError(where + " " + quote_found(spec) + ": expected " + kSplitGrammar);
  };
  const std::vector<std::string> parts = spec_parts(spec);
  SplitSpec out;
  if (parts[0] == "random" && parts.size() == 3) {
    out.kind = Kind::kRandom;
    if (!spec_double(parts[1], out.fraction) || !(out.fraction > 0 && out.fraction < 1))
      return fail();
    if (!spec_int(parts[2], out.seed)) return fail();
  } else if (parts[0] == "temporal" && parts.size() == 2) {
    out.kind = Kind::kTemporal;
    if (!spec_int(parts[1], out.n) || out.n < 1) return fail();
  } else if (parts[0] == "ml100k" && parts.size() == 2) {
    out.kind = Kind::kMl100k;
    static const char* const kFolds[] = {"u1", "u2", "u3", "u4", "u5", "ua", "ub"};
    if (std::find(std::begin(kFolds), std::end(kFolds), parts[1]) == std::end(kFolds))
      return fail();
    out.fold = parts[1];
  } else {
    return fail();
  }
  return out;
}

std::string SplitSpec::str() const {
  switch (kind) {
    case Kind::kRandom: {
      char buf[64];
      // Shortest form that reads back as the same double: parse(str()) == *this.
      const auto res = std::to_chars(buf, buf + sizeof buf, fraction);
      return "random:" + std::string(buf, res.ptr) + ":" + std::to_string(seed);
    }
    case Kind::kTemporal:
      return "temporal:" + std::to_string(n);
    case Kind::kMl100k:
      return "ml100k:" + fold;
  }
  return "";
}

}  // namespace towerrec

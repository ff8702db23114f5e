#include "data/split.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>

#include <fast_float/fast_float.h>

#include "core/error.h"
#include "core/rng.h"
#include "data/dataset.h"

namespace towerrec {
namespace {

constexpr const char* kGrammar =
    "random:FRACTION:SEED (FRACTION in (0,1)), temporal:N or ml100k:FOLD (u1..u5, ua, ub)";
constexpr size_t kMl100kRatings = 100000;

std::vector<std::string> split_colons(const std::string& s) {
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
bool parse_int(const std::string& s, T& out) {
  if (s.empty() || s[0] == '+' || s[0] == '-') return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool parse_double(const std::string& s, double& out) {
  if (s.empty()) return false;
  const auto [end, ec] = fast_float::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// Rows grouped by user (counting sort, so each group keeps file order):
// rows[offset[u]..offset[u+1]).
void group_by_user(const Dataset& data, std::vector<uint32_t>& rows, std::vector<size_t>& offset) {
  const auto& user = data.ratings.user;
  int32_t num_users = data.num_users();
  for (int32_t u : user) num_users = std::max(num_users, u + 1);
  offset.assign(static_cast<size_t>(num_users) + 1, 0);
  for (int32_t u : user) ++offset[static_cast<size_t>(u) + 1];
  for (size_t u = 0; u < static_cast<size_t>(num_users); ++u) offset[u + 1] += offset[u];
  rows.assign(user.size(), 0);
  std::vector<size_t> next(offset.begin(), offset.end() - 1);
  for (size_t r = 0; r < user.size(); ++r)
    rows[next[static_cast<size_t>(user[r])]++] = static_cast<uint32_t>(r);
}

// Turns a test-row mask into the Split (both sides ascending by construction).
Split from_mask(const std::vector<char>& is_test) {
  Split s;
  for (size_t r = 0; r < is_test.size(); ++r)
    (is_test[r] ? s.test : s.train).push_back(static_cast<uint32_t>(r));
  return s;
}

Split random_split(const Dataset& data, const SplitSpec& spec) {
  const size_t n = data.ratings.size();
  const size_t k = static_cast<size_t>(std::llround(spec.fraction * static_cast<double>(n)));
  // Partial Fisher-Yates: the first k positions of a seeded permutation are the test rows.
  std::vector<uint32_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0u);
  Rng rng(spec.seed);
  for (size_t i = 0; i < k; ++i) std::swap(perm[i], perm[i + rng.below(n - i)]);
  std::vector<char> is_test(n, 0);
  for (size_t i = 0; i < k; ++i) is_test[perm[i]] = 1;
  return from_mask(is_test);
}

Split temporal_split(const Dataset& data, const SplitSpec& spec) {
  const auto& ts = data.ratings.timestamp;
  std::vector<uint32_t> rows;
  std::vector<size_t> offset;
  group_by_user(data, rows, offset);
  std::vector<char> is_test(data.ratings.size(), 0);
  for (size_t u = 0; u + 1 < offset.size(); ++u) {
    const auto first = rows.begin() + static_cast<std::ptrdiff_t>(offset[u]);
    const auto last = rows.begin() + static_cast<std::ptrdiff_t>(offset[u + 1]);
    const size_t count = offset[u + 1] - offset[u];
    // Equal timestamps: the later row counts as the later rating (stable sort keeps file order).
    std::stable_sort(first, last, [&](uint32_t a, uint32_t b) { return ts[a] < ts[b]; });
    const size_t take = std::min(static_cast<size_t>(spec.n), count > 0 ? count - 1 : 0);
    for (auto it = last - static_cast<std::ptrdiff_t>(take); it != last; ++it) is_test[*it] = 1;
  }
  return from_mask(is_test);
}

Split ml100k_split(const Dataset& data, const SplitSpec& spec) {
  const size_t n = data.ratings.size();
  if (data.format != "ml100k" || n != kMl100kRatings)
    throw Error(
        "split " + quote_found(spec.str()) +
        ": expected the MovieLens 100K ratings (format \"ml100k\", u.data with 100000 rows), "
        "found format " +
        quote_found(data.format) + " with " + std::to_string(n) + " ratings");
  std::vector<char> is_test(n, 0);
  if (spec.fold[0] == 'u' && spec.fold[1] >= '1' && spec.fold[1] <= '5') {
    // mku.sh: u{i}.test is lines (i-1)*20000+1 .. i*20000 of u.data.
    const size_t i = static_cast<size_t>(spec.fold[1] - '1');
    std::fill(is_test.begin() + static_cast<std::ptrdiff_t>(i * 20000),
              is_test.begin() + static_cast<std::ptrdiff_t>((i + 1) * 20000), 1);
  } else {
    // mku.sh: ua.test holds each user's 1st..10th ratings in file order, ub.test the 11th..20th.
    const size_t lo = spec.fold == "ua" ? 0 : 10;
    std::vector<uint32_t> rows;
    std::vector<size_t> offset;
    group_by_user(data, rows, offset);
    for (size_t u = 0; u + 1 < offset.size(); ++u)
      for (size_t j = offset[u] + lo; j < std::min(offset[u] + lo + 10, offset[u + 1]); ++j)
        is_test[rows[j]] = 1;
  }
  return from_mask(is_test);
}

}  // namespace

SplitSpec SplitSpec::parse(const std::string& spec, const std::string& where) {
  auto fail = [&]() -> SplitSpec {
    throw UsageError(where + " " + quote_found(spec) + ": expected " + kGrammar);
  };
  const std::vector<std::string> parts = split_colons(spec);
  SplitSpec out;
  if (parts[0] == "random" && parts.size() == 3) {
    out.kind = Kind::kRandom;
    if (!parse_double(parts[1], out.fraction) || !(out.fraction > 0 && out.fraction < 1))
      return fail();
    if (!parse_int(parts[2], out.seed)) return fail();
  } else if (parts[0] == "temporal" && parts.size() == 2) {
    out.kind = Kind::kTemporal;
    if (!parse_int(parts[1], out.n) || out.n < 1) return fail();
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

Split make_split(const Dataset& data, const SplitSpec& spec) {
  TOWERREC_CHECK(data.ratings.size() <= UINT32_MAX);
  // A spec built by hand skips parse(); check it the same way (throws UsageError when invalid).
  SplitSpec::parse(spec.str(), "split");
  switch (spec.kind) {
    case SplitSpec::Kind::kRandom:
      return random_split(data, spec);
    case SplitSpec::Kind::kTemporal:
      return temporal_split(data, spec);
    case SplitSpec::Kind::kMl100k:
      return ml100k_split(data, spec);
  }
  return {};
}

}  // namespace towerrec

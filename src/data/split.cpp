#include "data/split.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"
#include "core/rng.h"
#include "data/dataset.h"

namespace towerrec {
namespace {

constexpr size_t kMl100kRatings = 100000;

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
  if (data.format != DataFormat::kMl100k || n != kMl100kRatings)
    throw Error(
        "split " + quote_found(spec.str()) +
        ": expected the MovieLens 100K ratings (format \"ml100k\", u.data with 100000 rows), "
        "found format " +
        quote_found(enum_name(data.format)) + " with " + std::to_string(n) + " ratings");
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

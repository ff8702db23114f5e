#include "serve/new_user_ratings.h"

#include <sstream>
#include <unordered_map>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/dataset.h"
#include "data/field_parser.h"

namespace towerrec {
namespace {

constexpr const char* kNewUserHeader = "user_id,item_id,rating";

std::vector<std::string_view> new_user_fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = line.find(',', start);
    out.push_back(line.substr(start, comma == std::string_view::npos ? line.npos : comma - start));
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

std::string_view new_user_trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

NewUserRatings read_new_user_ratings(const std::string& path, const Dataset& run_data,
                                     const NewUserReadOptions& opts) {
  std::istringstream in(read_file(path));
  NewUserRatings out;
  std::unordered_map<int64_t, size_t> user_at;  // id -> index into out.ids
  // Per user, item row -> position in that user's lists (a later duplicate overwrites it).
  std::vector<std::unordered_map<int32_t, size_t>> pos;
  const std::string scale = "[" + format_number(opts.rating_min) + ", " +
                            format_number(opts.rating_max) + "]" +
                            (opts.allow_labels ? " (or a 0/1 label)" : "");
  std::string raw;
  int64_t line_no = 0;
  bool header = false;
  while (std::getline(in, raw)) {
    ++line_no;
    const std::string_view line = new_user_trim(raw);
    if (line.empty() || line.front() == '#') continue;
    if (!header) {
      if (line != kNewUserHeader)
        throw InputError(path, line_no,
                         std::string("expected the header ") + kNewUserHeader + ", found " +
                             quote_found(std::string(line)));
      header = true;
      continue;
    }
    const std::vector<std::string_view> f = new_user_fields(line);
    if (f.size() != 3)
      throw InputError(path, line_no,
                       "expected 3 fields (user_id,item_id,rating), found " +
                           std::to_string(f.size()) + ": " + quote_found(std::string(line)));
    int64_t uid = 0;
    if (!parse_int64(f[0], &uid))
      throw InputError(path, line_no,
                       "user_id: expected an integer id, found " + quote_found(std::string(f[0])));
    if (run_data.users.find(uid) >= 0)
      throw InputError(path, line_no,
                       "user_id " + std::to_string(uid) +
                           ": expected a user the run did not see, found one of the run's " +
                           std::to_string(run_data.num_users()) +
                           " users (recommend --users serves those)");
    auto [it, added] = user_at.emplace(uid, out.ids.size());
    if (added) {
      out.ids.push_back(uid);
      out.items.emplace_back();
      out.values.emplace_back();
      pos.emplace_back();
    }
    const size_t u = it->second;
    const std::string_view item_text = new_user_trim(f[1]), rating_text = new_user_trim(f[2]);
    if (item_text.empty() && rating_text.empty()) continue;  // a user with no ratings yet
    ++out.rows;
    int64_t iid = 0;
    if (!parse_int64(item_text, &iid))
      throw InputError(
          path, line_no,
          "item_id: expected an integer id, found " + quote_found(std::string(item_text)));
    const int32_t item = run_data.items.find(iid);
    if (item < 0) {
      if (opts.skip_unknown_items) {
        ++out.unknown_items_skipped;
        continue;
      }
      throw InputError(path, line_no,
                       "item_id " + std::to_string(iid) + ": expected one of the run's " +
                           std::to_string(run_data.num_items()) +
                           " items, found an unknown id (--skip-unknown-items drops such rows)");
    }
    float v = 0;
    const bool label = opts.allow_labels && (rating_text == "0" || rating_text == "1");
    if (!parse_float(rating_text, &v) ||
        (!label && !(v >= opts.rating_min && v <= opts.rating_max)))
      throw InputError(path, line_no,
                       "rating: expected a number in " + scale + ", found " +
                           quote_found(std::string(rating_text)));
    auto [p, fresh] = pos[u].emplace(item, out.items[u].size());
    if (fresh) {
      out.items[u].push_back(item);
      out.values[u].push_back(v);
    } else {
      out.values[u][p->second] = v;  // the later row wins
      ++out.duplicates;
    }
  }
  if (!header || out.ids.empty())
    throw InputError(path, 0,
                     std::string("expected the header ") + kNewUserHeader +
                         " and at least one row, found " +
                         (header ? "a header only" : "no header and no rows"));
  return out;
}

}  // namespace towerrec

#include "data/rating_rows.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "core/error.h"
#include "data/dataset.h"
#include "data/delimited_reader.h"
#include "data/duplicate_ratings.h"
#include "data/field_parser.h"
#include "data/mapped_file.h"

namespace towerrec {
namespace {

// Ids below this use a direct lookup table instead of the hash map (at most 64 MB per table).
constexpr int64_t kDirectLimit = int64_t{1} << 24;
constexpr size_t kProgressEvery = size_t{1} << 20;

}  // namespace

void read_rating_rows(const std::string& path, const RatingFileLayout& layout,
                      const DataOptions& opts, Dataset& data, const ProgressFn& progress) {
  MappedFile file(path);
  // Field names as they would appear in a header, for messages (a tab shown as "<tab>").
  const std::string sep = layout.separator == "\t" ? "<tab>" : layout.separator;
  const std::string names = layout.user_field + sep + layout.item_field + sep +
                            layout.rating_field + sep + layout.time_field;
  if (file.text().empty()) {
    throw InputError(path, 0,
                     layout.header ? "empty file; expected the header \"" + names + "\""
                                   : "empty file; expected ratings (" + names + ")");
  }
  DelimitedReader r(path, file.text(), layout.separator, layout.quotes);
  int64_t first_line = 1;
  if (layout.header) {
    r.next();
    r.expect_header({layout.user_field, layout.item_field, layout.rating_field, layout.time_field});
    first_line = 2;
  }
  const size_t lines = file.count_lines();
  data.ratings.reserve(lines);

  std::vector<int32_t> item_direct;
  int64_t max_item = -1;
  for (int64_t id : data.items.ids()) max_item = std::max(max_item, id);
  if (max_item < kDirectLimit) {
    item_direct.assign(static_cast<size_t>(max_item + 1), -1);
    for (int32_t i = 0; i < data.items.size(); ++i) item_direct[data.items.id(i)] = i;
  }
  std::vector<int32_t> user_direct;
  int64_t last_user_id = -1;
  int32_t last_user = -1;

  const std::string layout_text = names;
  const char* uf = layout.user_field.c_str();
  const char* itf = layout.item_field.c_str();
  const char* rf = layout.rating_field.c_str();
  const char* tf = layout.time_field.c_str();
  const float lo = static_cast<float>(opts.rating_min), hi = static_cast<float>(opts.rating_max);
  const bool report = progress && lines > kProgressEvery;  // small files finish before a line shows
  size_t rows = 0;
  while (r.next()) {
    if (r.size() != 4) r.expect_fields(4, layout_text);
    int64_t uid, iid, ts;
    double v;
    if (!parse_int64(r[0], &uid) || uid < 0 || uid > kMaxRawId) r.integer(0, uf, 0, kMaxRawId);
    if (!parse_int64(r[1], &iid) || iid < 0 || iid > kMaxRawId) r.integer(1, itf, 0, kMaxRawId);
    if (!parse_double(r[2], &v) || v < opts.rating_min || v > opts.rating_max) {
      r.number_in(2, rf, opts.rating_min, opts.rating_max);
    }
    if (!parse_int64(r[3], &ts)) {
      r.field_error(3, tf, "an integer (seconds since the epoch)");
    }
    int32_t item = -1;
    if (iid < static_cast<int64_t>(item_direct.size())) {
      item = item_direct[static_cast<size_t>(iid)];
    } else if (item_direct.empty()) {
      item = data.items.find(iid);
    }
    if (item < 0) {
      r.fail("field '" + layout.item_field + "': movie " + std::to_string(iid) + " is not in " +
             layout.catalogue + "; add a row for it to " + layout.catalogue +
             " or remove its ratings");
    }
    int32_t user;
    if (uid == last_user_id) {
      user = last_user;
    } else if (uid < kDirectLimit) {
      if (uid >= static_cast<int64_t>(user_direct.size())) {
        user_direct.resize(std::max<size_t>(static_cast<size_t>(uid) + 1, user_direct.size() * 2),
                           -1);
      }
      int32_t& slot = user_direct[static_cast<size_t>(uid)];
      if (slot < 0) slot = data.users.add(uid);
      user = slot;
    } else {
      user = data.users.add(uid);
    }
    last_user_id = uid;
    last_user = user;
    float fv = static_cast<float>(v);
    fv =
        std::min(std::max(fv, lo), hi);  // a value on the scale stays on it after rounding to float
    data.ratings.push_back(user, item, fv, ts);
    if (++rows % kProgressEvery == 0) {
      file.release_before(r.position());
      if (report) progress({"read " + path, rows, lines - (layout.header ? 1 : 0), "rows", ""});
    }
  }
  if (rows == 0) {
    throw InputError(
        path, layout.header ? 1 : 0,
        "no ratings: expected rows of " + names + (layout.header ? " after the header" : ""));
  }
  if (report) progress({"read " + path, rows, rows, "rows", ""});
  resolve_duplicates(data, opts.duplicates,
                     RatingsSource{path, first_line, layout.user_field, layout.item_field});
}

}  // namespace towerrec

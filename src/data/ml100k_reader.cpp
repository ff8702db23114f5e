#include "data/ml100k_reader.h"

#include <limits>

#include "core/error.h"
#include "data/data_files.h"
#include "data/delimited_reader.h"
#include "data/demographics_builder.h"
#include "data/mapped_file.h"
#include "data/movie_catalogue.h"
#include "data/rating_rows.h"
#include "data/text_encoding.h"

namespace towerrec {
namespace {

constexpr size_t kGenres = 19;

// The u.genre list of the 1998 release, used when u.genre is absent.
const char* const kStandardGenres[kGenres] = {
    "unknown",     "Action", "Adventure", "Animation", "Children's", "Comedy",  "Crime",
    "Documentary", "Drama",  "Fantasy",   "Film-Noir", "Horror",     "Musical", "Mystery",
    "Romance",     "Sci-Fi", "Thriller",  "War",       "Western"};

std::vector<std::string> read_genre_names(const std::string& path) {
  std::vector<std::string> names;
  if (!data_file_exists(path)) {
    names.assign(kStandardGenres, kStandardGenres + kGenres);
    return names;
  }
  MappedFile file(path);
  if (file.text().empty())
    throw InputError(path, 0, "empty file; expected 19 lines \"name|index\"");
  DelimitedReader r(path, file.text(), "|", false);
  while (r.next()) {
    r.expect_fields(2, "name|index");
    r.integer(1, "index", static_cast<int64_t>(names.size()), static_cast<int64_t>(names.size()));
    names.emplace_back(latin1_to_utf8(r[0]));
  }
  if (names.size() != kGenres) {
    throw InputError(
        path, 0,
        "expected 19 genres (u.item has 19 genre flags), found " + std::to_string(names.size()));
  }
  return names;
}

// "01-Jan-1995" (or "4-Feb-1971") -> 1995; "" -> 0.
int32_t release_year(const DelimitedReader& r, size_t col) {
  const std::string_view d = r[col];
  if (d.empty()) return 0;
  const size_t first = d.find('-'), last = d.rfind('-');
  bool ok = first >= 1 && first <= 2 && last == first + 4 && d.size() == last + 5;
  int32_t year = 0;
  for (size_t i = last + 1; ok && i < d.size(); ++i) {
    ok = d[i] >= '0' && d[i] <= '9';
    year = year * 10 + (d[i] - '0');
  }
  if (!ok) r.field_error(col, "release date", "a date like \"01-Jan-1995\" or nothing");
  return year;
}

void read_u_item(const std::string& path, const std::vector<std::string>& genre_names,
                 Dataset& data) {
  MappedFile file(path);
  if (file.text().empty())
    throw InputError(path, 0, "empty file; expected movies (24 '|'-separated fields)");
  DelimitedReader r(path, file.text(), "|", false);
  data.item_meta.genre_names = genre_names;
  static const std::string kLayout =
      "movie id|movie title|release date|video release date|IMDb URL|19 genre flags";
  while (r.next()) {
    r.expect_fields(5 + kGenres, kLayout);
    const int64_t id = r.integer(0, "movie id", 0, kMaxRawId);
    const int32_t year = release_year(r, 2);
    add_catalogue_item(data, r, id, latin1_to_utf8(r[1]), year, "");
    uint64_t mask = 0;
    for (size_t g = 0; g < kGenres; ++g) {
      if (r.integer(5 + g, "genre flag", 0, 1)) mask |= uint64_t{1} << g;
    }
    data.item_meta.genres.back() = mask;
  }
}

void read_u_user(const std::string& path, Dataset& data) {
  MappedFile file(path);
  if (file.text().empty())
    throw InputError(path, 0,
                     "empty file; expected users (user id|age|gender|occupation|zip code)");
  DelimitedReader r(path, file.text(), "|", false);
  using Kind = DemographicsBuilder::Kind;
  DemographicsBuilder builder({"age", "gender", "occupation"},
                              {Kind::kNumeric, Kind::kCategorical, Kind::kCategorical},
                              DemographicsBuilder::Text::kLatin1);
  const std::vector<size_t> cols = {1, 2, 3};
  while (r.next()) {
    r.expect_fields(5, "user id|age|gender|occupation|zip code");
    const int64_t id = r.integer(0, "user id", 0, kMaxRawId);
    builder.add(data.users.add(id), r, cols);
  }
  data.user_meta = builder.build(data.users.size());
}

}  // namespace

Dataset read_ml100k(const std::string& dir, const DataOptions& opts, const ProgressFn& progress) {
  Dataset data;
  data.source = dir;
  data.format = DataFormat::kMl100k;
  data.rating_min = opts.rating_min;
  data.rating_max = opts.rating_max;
  read_u_item(data_file(dir, "u.item"), read_genre_names(data_file(dir, "u.genre")), data);
  RatingFileLayout layout;
  layout.separator = "\t";
  layout.quotes = false;
  layout.header = false;
  layout.user_field = "user id";
  layout.item_field = "item id";
  layout.rating_field = "rating";
  layout.time_field = "timestamp";
  layout.catalogue = "u.item";
  read_rating_rows(data_file(dir, "u.data"), layout, opts, data, progress);
  const std::string users = data_file(dir, "u.user");
  if (data_file_exists(users)) read_u_user(users, data);
  return data;
}

}  // namespace towerrec

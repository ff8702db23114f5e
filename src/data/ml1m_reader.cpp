#include "data/ml1m_reader.h"

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

void read_movies_dat(const std::string& path, Dataset& data) {
  MappedFile file(path);
  if (file.text().empty())
    throw InputError(path, 0, "empty file; expected movies (MovieID::Title::Genres)");
  DelimitedReader r(path, file.text(), "::", false);
  while (r.next()) {
    r.expect_fields(3, "MovieID::Title::Genres");
    const int64_t id = r.integer(0, "MovieID", 0, kMaxRawId);
    std::string title = latin1_to_utf8(r[1]);
    const int32_t year = year_from_title(title);
    add_catalogue_item(data, r, id, std::move(title), year, latin1_to_utf8(r[2]));
  }
}

void read_users_dat(const std::string& path, Dataset& data) {
  MappedFile file(path);
  if (file.text().empty()) {
    throw InputError(path, 0,
                     "empty file; expected users (UserID::Gender::Age::Occupation::Zip-code)");
  }
  DelimitedReader r(path, file.text(), "::", false);
  using Kind = DemographicsBuilder::Kind;
  // Same column order as ml-100k's u.user, so features see age, gender, occupation either way.
  DemographicsBuilder builder({"age", "gender", "occupation"},
                              {Kind::kNumeric, Kind::kCategorical, Kind::kCategorical},
                              DemographicsBuilder::Text::kLatin1);
  const std::vector<size_t> cols = {2, 1, 3};
  while (r.next()) {
    r.expect_fields(5, "UserID::Gender::Age::Occupation::Zip-code");
    const int64_t id = r.integer(0, "UserID", 0, kMaxRawId);
    builder.add(data.users.add(id), r, cols);
  }
  data.user_meta = builder.build(data.users.size());
}

}  // namespace

Dataset read_ml1m(const std::string& dir, const DataOptions& opts, const ProgressFn& progress) {
  Dataset data;
  data.source = dir;
  data.format = DataFormat::kMl1m;
  data.rating_min = opts.rating_min;
  data.rating_max = opts.rating_max;
  read_movies_dat(data_file(dir, "movies.dat"), data);
  RatingFileLayout layout;
  layout.separator = "::";
  layout.quotes = false;
  layout.header = false;
  layout.user_field = "UserID";
  layout.item_field = "MovieID";
  layout.rating_field = "Rating";
  layout.time_field = "Timestamp";
  layout.catalogue = "movies.dat";
  read_rating_rows(data_file(dir, "ratings.dat"), layout, opts, data, progress);
  const std::string users = data_file(dir, "users.dat");
  if (data_file_exists(users)) read_users_dat(users, data);
  return data;
}

}  // namespace towerrec

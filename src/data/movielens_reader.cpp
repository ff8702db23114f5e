#include "data/movielens_reader.h"

#include <limits>

#include "core/error.h"
#include "data/data_files.h"
#include "data/delimited_reader.h"
#include "data/demographics_builder.h"
#include "data/mapped_file.h"
#include "data/movie_catalogue.h"
#include "data/rating_rows.h"

namespace towerrec {
namespace {

void read_users_csv(const std::string& path, Dataset& data) {
  MappedFile file(path);
  if (file.text().empty())
    throw InputError(path, 0, "empty file; expected a header \"userId,<column>,...\"");
  DelimitedReader r(path, file.text(), ",", true);
  r.next();
  if (r.size() < 2 || r[0] != "userId") {
    r.fail("expected a header \"userId,<column>,...\" (at least one demographic column), found " +
           quote_found(std::string(r.raw())));
  }
  std::vector<std::string> names;
  std::string layout = "userId";
  std::vector<size_t> cols;
  for (size_t c = 1; c < r.size(); ++c) {
    if (r[c].empty())
      r.fail("empty column name in the header (column " + std::to_string(c + 1) + ")");
    names.emplace_back(r.utf8(c, "column name"));
    layout += "," + names.back();
    cols.push_back(c);
  }
  DemographicsBuilder builder(names, std::vector<DemographicsBuilder::Kind>(
                                         names.size(), DemographicsBuilder::Kind::kAuto));
  while (r.next()) {
    r.expect_fields(names.size() + 1, layout);
    const int64_t id = r.integer(0, "userId", 0, std::numeric_limits<int32_t>::max());
    builder.add(data.users.add(id), r, cols);
  }
  data.user_meta = builder.build(data.users.size());
}

}  // namespace

Dataset read_movielens(const std::string& dir, const DataOptions& opts,
                       const ProgressFn& progress) {
  Dataset data;
  data.source = dir;
  data.format = DataFormat::kMovielens;
  data.rating_min = opts.rating_min;
  data.rating_max = opts.rating_max;
  read_movies_csv(data_file(dir, "movies.csv"), data);
  RatingFileLayout layout;
  layout.catalogue = "movies.csv";
  read_rating_rows(data_file(dir, "ratings.csv"), layout, opts, data, progress);
  const std::string users = data_file(dir, "users.csv");
  if (data_file_exists(users)) read_users_csv(users, data);
  return data;
}

}  // namespace towerrec

#include "data/content_lab.h"

#include <cmath>

#include "core/error.h"
#include "data/data_files.h"
#include "data/field_parser.h"
#include "data/movie_catalogue.h"
#include "data/numeric_csv.h"

namespace towerrec {
namespace {

FeatureMatrix to_matrix(const NumericTable& t, std::vector<std::string> names) {
  FeatureMatrix m;
  m.names = std::move(names);
  m.rows = t.rows;
  m.data = t.data;
  return m;
}

void expect_rows(const std::string& path, int64_t found, int64_t want, const std::string& other) {
  if (found != want) {
    throw InputError(path, 0,
                     "expected " + std::to_string(want) + " rows (as many as " + other +
                         "), found " + std::to_string(found));
  }
}

// An id stored as a float ("2.0"); row r is on line r + 1.
int64_t integral_id(const std::string& path, int64_t row, const char* field, float v) {
  // 2^31 is the first float above int32 max (which itself rounds up to 2^31 as a float).
  if (!(v >= 0) || !(v < 2147483648.0f) || v != std::floor(v)) {
    throw InputError(path, row + 1,
                     std::string("field '") + field + "': expected an integer id >= 0, found " +
                         quote_found(format_number(v)));
  }
  return static_cast<int64_t>(v);
}

// The year column of content_item_vecs.csv ("2003.0"); casting a float beyond int32 is undefined.
int32_t year_of(const std::string& path, int64_t row, const std::string& field, float v) {
  if (!(v >= 0 && v <= 9999)) {
    throw InputError(path, row + 1,
                     "field '" + field + "': expected a year in [0, 9999], found " +
                         quote_found(format_number(v)));
  }
  return static_cast<int32_t>(v);
}

}  // namespace

ContentLab read_content_lab(const std::string& dir) {
  ContentLab lab;
  const std::string user_path = data_file(dir, "content_user_train.csv");
  const std::string item_path = data_file(dir, "content_item_train.csv");
  const std::string y_path = data_file(dir, "content_y_train.csv");
  std::vector<std::string> user_names =
      read_header_names(data_file(dir, "content_user_train_header.txt"));
  std::vector<std::string> item_names =
      read_header_names(data_file(dir, "content_item_train_header.txt"));
  const NumericTable users = read_numeric_csv(user_path, user_names);
  const NumericTable items = read_numeric_csv(item_path, item_names);
  const NumericTable y = read_numeric_csv(y_path, {"y"});
  const NumericTable vecs = read_numeric_csv(data_file(dir, "content_item_vecs.csv"), item_names);
  expect_rows(item_path, items.rows, users.rows, "content_user_train.csv");
  expect_rows(y_path, y.rows, users.rows, "content_user_train.csv");
  if (static_cast<int>(user_names.size()) <= ContentLab::kUserFirstFeature) {
    throw InputError(
        data_file(dir, "content_user_train_header.txt"), 1,
        "expected more than " + std::to_string(ContentLab::kUserFirstFeature) + " columns");
  }
  if (static_cast<int>(item_names.size()) <= ContentLab::kItemFirstFeature) {
    throw InputError(
        data_file(dir, "content_item_train_header.txt"), 1,
        "expected more than " + std::to_string(ContentLab::kItemFirstFeature) + " columns");
  }
  lab.user_train = to_matrix(users, user_names);
  lab.item_train = to_matrix(items, item_names);
  lab.item_vecs = to_matrix(vecs, item_names);
  lab.y_train = y.data;
  return lab;
}

Dataset read_content_lab_dataset(const std::string& dir, const DataOptions& opts) {
  const ContentLab lab = read_content_lab(dir);
  Dataset data;
  data.source = dir;
  data.format = DataFormat::kContentLab;
  data.rating_min = opts.rating_min;
  data.rating_max = opts.rating_max;
  const std::string list = data_file(dir, "content_movie_list.csv");
  const std::string vecs_path = data_file(dir, "content_item_vecs.csv");
  std::string catalogue = "content_movie_list.csv";
  if (data_file_exists(list)) {
    read_movies_csv(list, data);
  } else {
    // Layout of item_vecs: movie id, year, ave rating, then one 0/1 flag per genre.
    catalogue = "content_item_vecs.csv";
    const FeatureMatrix& v = lab.item_vecs;
    // Genres are bits of a 64-bit mask, as for the MovieLens catalogues (data/movie_catalogue.h).
    if (v.cols() - 3 > 64) {
      throw InputError(data_file(dir, "content_item_train_header.txt"), 1,
                       "too many genres: at most 64 are supported, found " +
                           std::to_string(v.cols() - 3) + " genre columns after the first 3");
    }
    for (int64_t g = 3; g < v.cols(); ++g) data.item_meta.genre_names.push_back(v.names[g]);
    for (int64_t r = 0; r < v.rows; ++r) {
      const int64_t id = integral_id(vecs_path, r, v.names[0].c_str(), v.row(r)[0]);
      if (data.items.find(id) >= 0) {
        throw InputError(
            vecs_path, r + 1,
            "movie id " + std::to_string(id) + " appears twice in the catalogue (each id once)");
      }
      data.items.add(id);
      uint64_t mask = 0;
      for (int64_t g = 3; g < v.cols(); ++g) {
        if (v.row(r)[g] != 0) mask |= uint64_t{1} << (g - 3);
      }
      data.item_meta.title.emplace_back();
      data.item_meta.year.push_back(v.cols() > 1 ? year_of(vecs_path, r, v.names[1], v.row(r)[1])
                                                 : 0);
      data.item_meta.genres.push_back(mask);
    }
  }
  const std::string user_path = data_file(dir, "content_user_train.csv");
  const std::string item_path = data_file(dir, "content_item_train.csv");
  const std::string y_path = data_file(dir, "content_y_train.csv");
  const int64_t n = lab.user_train.rows;
  data.ratings.reserve(static_cast<size_t>(n));
  for (int64_t r = 0; r < n; ++r) {
    const int64_t uid =
        integral_id(user_path, r, lab.user_train.names[0].c_str(), lab.user_train.row(r)[0]);
    const int64_t iid =
        integral_id(item_path, r, lab.item_train.names[0].c_str(), lab.item_train.row(r)[0]);
    const int32_t item = data.items.find(iid);
    if (item < 0) {
      throw InputError(item_path, r + 1,
                       "field '" + lab.item_train.names[0] + "': movie " + std::to_string(iid) +
                           " is not in " + catalogue + "; add a row for it to " + catalogue +
                           " or remove its rows");
    }
    const float y = lab.y_train[static_cast<size_t>(r)];
    if (y < opts.rating_min || y > opts.rating_max) {
      throw InputError(y_path, r + 1,
                       "field 'y': expected a number in [" + format_number(opts.rating_min) + ", " +
                           format_number(opts.rating_max) + "], found " +
                           quote_found(format_number(y)));
    }
    data.ratings.push_back(data.users.add(uid), item, y, 0);
  }
  if (n == 0) throw InputError(user_path, 0, "no training rows");
  return data;
}

}  // namespace towerrec

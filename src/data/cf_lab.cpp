#include "data/cf_lab.h"

#include "core/error.h"
#include "data/data_files.h"
#include "data/delimited_reader.h"
#include "data/field_parser.h"
#include "data/mapped_file.h"
#include "data/movie_catalogue.h"
#include "data/numeric_csv.h"

namespace towerrec {
namespace {

CfLab::Matrix to_matrix(const NumericTable& t) {
  CfLab::Matrix m(t.rows, t.cols);
  std::copy(t.data.begin(), t.data.end(), m.data());
  return m;
}

void expect_shape(const std::string& path, const NumericTable& t, int64_t rows, int64_t cols,
                  const std::string& why) {
  if (t.rows != rows || t.cols != cols) {
    throw InputError(path, 0,
                     "expected a " + std::to_string(rows) + " x " + std::to_string(cols) +
                         " matrix (" + why + "), found " + std::to_string(t.rows) + " x " +
                         std::to_string(t.cols));
  }
}

// small_movie_list.csv: header ",mean rating,number of ratings,title", then row index, mean, count,
// title for each row of Y.
std::vector<std::string> read_titles(const std::string& path, int64_t rows) {
  MappedFile file(path);
  if (file.text().empty()) {
    throw InputError(path, 0,
                     "empty file; expected the header \",mean rating,number of ratings,title\"");
  }
  DelimitedReader r(path, file.text(), ",", true);
  r.next();
  r.expect_header({"", "mean rating", "number of ratings", "title"});
  std::vector<std::string> titles;
  while (r.next()) {
    r.expect_fields(4, ",mean rating,number of ratings,title");
    const auto row = static_cast<int64_t>(titles.size());
    r.integer(0, "index", row, row);
    titles.emplace_back(r.utf8(3, "title"));
  }
  if (static_cast<int64_t>(titles.size()) != rows) {
    throw InputError(path, 0,
                     "expected " + std::to_string(rows) +
                         " movies (the rows of small_movies_Y.csv), found " +
                         std::to_string(titles.size()));
  }
  return titles;
}

struct YR {
  NumericTable y, r;
  std::vector<std::string> titles;
};

YR read_y_r(const std::string& dir) {
  YR out;
  const std::string y_path = data_file(dir, "small_movies_Y.csv");
  const std::string r_path = data_file(dir, "small_movies_R.csv");
  out.y = read_numeric_csv(y_path);
  out.r = read_numeric_csv(r_path);
  expect_shape(r_path, out.r, out.y.rows, out.y.cols, "the shape of small_movies_Y.csv");
  for (int64_t i = 0; i < out.r.rows; ++i) {
    for (int64_t j = 0; j < out.r.cols; ++j) {
      const float v = out.r.at(i, j);
      if (v != 0 && v != 1) {
        throw InputError(r_path, i + 1,
                         "field 'column " + std::to_string(j + 1) + "': expected 0 or 1, found " +
                             quote_found(format_number(v)));
      }
    }
  }
  const std::string list = data_file(dir, "small_movie_list.csv");
  if (data_file_exists(list)) out.titles = read_titles(list, out.y.rows);
  return out;
}

}  // namespace

CfLab read_cf_lab(const std::string& dir) {
  YR yr = read_y_r(dir);
  const int64_t nm = yr.y.rows, nu = yr.y.cols;
  const std::string x_path = data_file(dir, "small_movies_X.csv");
  const std::string w_path = data_file(dir, "small_movies_W.csv");
  const std::string b_path = data_file(dir, "small_movies_b.csv");
  const NumericTable x = read_numeric_csv(x_path);
  expect_shape(x_path, x, nm, x.cols, "one row per movie, as small_movies_Y.csv");
  const NumericTable w = read_numeric_csv(w_path);
  expect_shape(w_path, w, nu, x.cols, "one row per user, as many features as small_movies_X.csv");
  const NumericTable b = read_numeric_csv(b_path);
  expect_shape(b_path, b, 1, nu, "one bias per user");
  CfLab lab;
  lab.Y = to_matrix(yr.y);
  lab.R = to_matrix(yr.r);
  lab.X = to_matrix(x);
  lab.W = to_matrix(w);
  lab.b = to_matrix(b);
  lab.titles = std::move(yr.titles);
  return lab;
}

Dataset read_cf_lab_dataset(const std::string& dir, const DataOptions& opts) {
  YR yr = read_y_r(dir);
  const std::string y_path = data_file(dir, "small_movies_Y.csv");
  Dataset data;
  data.source = dir;
  data.format = DataFormat::kCfLab;
  data.rating_min = opts.rating_min;
  data.rating_max = opts.rating_max;
  const int64_t nm = yr.y.rows, nu = yr.y.cols;
  data.users.reserve(static_cast<size_t>(nu));
  for (int64_t j = 0; j < nu; ++j) data.users.add(j);
  data.items.reserve(static_cast<size_t>(nm));
  for (int64_t i = 0; i < nm; ++i) {
    data.items.add(i);
    std::string title = yr.titles.empty() ? std::string() : yr.titles[static_cast<size_t>(i)];
    data.item_meta.year.push_back(year_from_title(title));
    data.item_meta.title.push_back(std::move(title));
    data.item_meta.genres.push_back(0);
  }
  for (int64_t i = 0; i < nm; ++i) {
    for (int64_t j = 0; j < nu; ++j) {
      if (yr.r.at(i, j) == 0) continue;
      const float v = yr.y.at(i, j);
      if (v < opts.rating_min || v > opts.rating_max) {
        throw InputError(
            y_path, i + 1,
            "field 'column " + std::to_string(j + 1) + "': expected a number in [" +
                format_number(opts.rating_min) + ", " + format_number(opts.rating_max) +
                "] where small_movies_R.csv is 1, found " + quote_found(format_number(v)));
      }
      data.ratings.push_back(static_cast<int32_t>(j), static_cast<int32_t>(i), v, 0);
    }
  }
  if (data.ratings.size() == 0) {
    throw InputError(data_file(dir, "small_movies_R.csv"), 0, "no ratings: every cell is 0");
  }
  return data;
}

}  // namespace towerrec

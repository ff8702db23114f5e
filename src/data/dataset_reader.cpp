#include "data/dataset_reader.h"

#include <cmath>

#include <sys/stat.h>

#include "core/error.h"
#include "data/cf_lab.h"
#include "data/content_lab.h"
#include "data/data_files.h"
#include "data/field_parser.h"
#include "data/ml100k_reader.h"
#include "data/ml1m_reader.h"
#include "data/movielens_reader.h"

namespace towerrec {

namespace {

void expect_directory(const std::string& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) throw Error("dataset directory " + dir + " does not exist");
  if (!S_ISDIR(st.st_mode))
    throw Error("dataset path " + dir + ": expected a directory, found a file");
}

}  // namespace

const char* format_ratings_file(DataFormat format) {
  switch (format) {
    case DataFormat::kMovielens:
      return "ratings.csv";
    case DataFormat::kMl100k:
      return "u.data";
    case DataFormat::kMl1m:
      return "ratings.dat";
    case DataFormat::kContentLab:
      return "content_user_train.csv";
    case DataFormat::kCfLab:
      return "small_movies_Y.csv";
    case DataFormat::kAuto:
      break;
  }
  return nullptr;
}

DataFormat detect_format(const std::string& dir) {
  expect_directory(dir);
  auto has = [&](const char* name) { return data_file_exists(data_file(dir, name)); };
  // In this order: a directory with ratings.csv is movielens whatever else it holds.
  for (DataFormat f : {DataFormat::kMovielens, DataFormat::kMl100k, DataFormat::kMl1m})
    if (has(format_ratings_file(f))) return f;
  if (has(format_ratings_file(DataFormat::kContentLab)) && has("content_item_train.csv"))
    return DataFormat::kContentLab;
  if (has(format_ratings_file(DataFormat::kCfLab)) && has("small_movies_R.csv"))
    return DataFormat::kCfLab;
  throw Error(
      "cannot tell the format of " + dir +
      ": expected ratings.csv (movielens), u.data (ml100k), ratings.dat (ml1m), "
      "content_user_train.csv + content_item_train.csv (content_lab) or small_movies_Y.csv + "
      "small_movies_R.csv (cf_lab)");
}

namespace {

// `format`, or the detected one for auto.
DataFormat detect_format_or(const std::string& dir, DataFormat format) {
  if (format != DataFormat::kAuto) {
    expect_directory(dir);
    return format;
  }
  return detect_format(dir);
}

}  // namespace

Dataset read_dataset(const std::string& dir, const DataOptions& opts, const ProgressFn& progress) {
  if (!std::isfinite(opts.rating_min) || !std::isfinite(opts.rating_max) ||
      opts.rating_min > opts.rating_max) {
    throw UsageError(
        "data.rating_min/rating_max: expected finite numbers with rating_min <= rating_max, got " +
        format_number(opts.rating_min) + " and " + format_number(opts.rating_max));
  }
  // detect_format also checks that `dir` is a directory; an explicit format needs the same check.
  switch (detect_format_or(dir, opts.format)) {
    case DataFormat::kMovielens:
      return read_movielens(dir, opts, progress);
    case DataFormat::kMl100k:
      return read_ml100k(dir, opts, progress);
    case DataFormat::kMl1m:
      return read_ml1m(dir, opts, progress);
    case DataFormat::kContentLab:
      return read_content_lab_dataset(dir, opts);
    case DataFormat::kCfLab:
      return read_cf_lab_dataset(dir, opts);
    case DataFormat::kAuto:
      break;
  }
  check_failed("detect_format_or resolves auto", __FILE__, __LINE__);
}

}  // namespace towerrec

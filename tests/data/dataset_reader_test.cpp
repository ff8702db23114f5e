#include "data/dataset_reader.h"

#include <set>

#include <catch2/catch.hpp>

#include "core/error.h"
#include "test_util.h"

using namespace towerrec;
using towerrec::test::TempDir;

namespace {

std::string dataset_error(const std::string& dir, const DataOptions& opts = {}) {
  try {
    read_dataset(dir, opts);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

int64_t distinct_items(const Dataset& d) {
  return static_cast<int64_t>(
      std::set<int32_t>(d.ratings.item.begin(), d.ratings.item.end()).size());
}

}  // namespace

TEST_CASE("reader: format detection", "[data]") {
  TempDir a, b, c, d, e, none;
  a.write("ratings.csv", "");
  b.write("u.data", "");
  c.write("ratings.dat", "");
  d.write("content_user_train.csv", "");
  d.write("content_item_train.csv", "");
  e.write("small_movies_Y.csv", "");
  e.write("small_movies_R.csv", "");
  CHECK(detect_format(a.path()) == DataFormat::kMovielens);
  CHECK(detect_format(b.path()) == DataFormat::kMl100k);
  CHECK(detect_format(c.path()) == DataFormat::kMl1m);
  CHECK(detect_format(d.path()) == DataFormat::kContentLab);
  CHECK(detect_format(e.path()) == DataFormat::kCfLab);
  none.write("notes.txt", "");
  CHECK(dataset_error(none.path()) ==
        "cannot tell the format of " + none.path() +
            ": expected ratings.csv (movielens), u.data (ml100k), "
            "ratings.dat (ml1m), content_user_train.csv + "
            "content_item_train.csv (content_lab) or small_movies_Y.csv + "
            "small_movies_R.csv (cf_lab)");
  CHECK(dataset_error(none.file("nope")) ==
        "dataset directory " + none.file("nope") + " does not exist");
  CHECK(dataset_error(none.file("notes.txt")) ==
        "dataset path " + none.file("notes.txt") + ": expected a directory, found a file");
  DataOptions ml;
  ml.format = DataFormat::kMovielens;
  CHECK(dataset_error(none.file("notes.txt"), ml) ==
        "dataset path " + none.file("notes.txt") + ": expected a directory, found a file");
}

TEST_CASE("reader: explicit format and option checks", "[data]") {
  TempDir dir;
  dir.write("movies.csv", "movieId,title,genres\n1,a,Drama\n");
  dir.write("ratings.csv", "userId,movieId,rating,timestamp\n1,1,7,1\n");
  DataOptions data_opts;
  data_opts.format = DataFormat::kMovielens;
  data_opts.rating_min = 1;
  data_opts.rating_max = 10;
  const Dataset d = read_dataset(dir.path(), data_opts);
  CHECK(d.ratings.value[0] == 7);
  CHECK(d.rating_max == 10);
  data_opts.rating_min = 11;
  CHECK_THROWS_AS(read_dataset(dir.path(), data_opts), UsageError);
  data_opts = DataOptions{};
  data_opts.format = DataFormat::kMl100k;
  CHECK(dataset_error(dir.path(), data_opts).find("cannot open " + dir.file("u.item")) == 0);
}

TEST_CASE("reader: ml-latest-small golden counts", "[data]") {
  const std::string dir = towerrec::test::shared_data("ml-latest-small");
  if (dir.empty()) {
    WARN("shared data ml-latest-small not found; skipping");
    return;
  }
  const Dataset d = read_dataset(dir, DataOptions{});
  CHECK(d.format == DataFormat::kMovielens);
  CHECK(d.ratings.size() == 100836);
  CHECK(d.num_users() == 610);
  CHECK(d.num_items() == 9742);
  CHECK(distinct_items(d) == 9724);
  CHECK(d.duplicates_dropped == 0);
  CHECK(d.item_meta.title[0] == "Toy Story (1995)");
  CHECK(d.item_meta.year[0] == 1995);
  CHECK(d.item_meta.genre_names.size() ==
        19);  // 20 names in the file, one of them "(no genres listed)"
}

TEST_CASE("reader: ml-100k golden counts and demographics", "[data]") {
  const std::string dir = towerrec::test::shared_data("ml-100k");
  if (dir.empty()) {
    WARN("shared data ml-100k not found; skipping");
    return;
  }
  const Dataset d = read_dataset(dir, DataOptions{});
  CHECK(d.format == DataFormat::kMl100k);
  CHECK(d.ratings.size() == 100000);
  CHECK(d.num_users() == 943);
  CHECK(d.num_items() == 1682);
  CHECK(d.users.id(0) == 196);  // first line of u.data
  REQUIRE(d.user_meta.columns.size() == 3);
  CHECK(d.user_meta.columns[0].name == "age");
  CHECK_FALSE(d.user_meta.columns[0].categorical);
  CHECK(d.user_meta.columns[1].name == "gender");
  CHECK(d.user_meta.columns[1].categories.size() == 2);
  CHECK(d.user_meta.columns[2].name == "occupation");
  CHECK(d.user_meta.columns[2].categories.size() == 21);
  CHECK(d.item_meta.genre_names.front() == "unknown");
  CHECK(d.item_meta.year[0] == 1995);
}

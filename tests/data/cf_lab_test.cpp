#include "data/cf_lab.h"

#include <catch2/catch.hpp>

#include "core/error.h"
#include "test_util.h"

using namespace towerrec;
using towerrec::test::TempDir;

namespace {

void write_cf_lab_fixture(const TempDir& dir) {
  dir.write("small_movies_Y.csv", "5.0,0.0,3.5\n0.0,0.0,1.0\n");
  dir.write("small_movies_R.csv", "1,0,1\n0,0,1\n");
  dir.write("small_movies_X.csv", "0.1,0.2\n0.3,0.4\n");
  dir.write("small_movies_W.csv", "1,2\n3,4\n5,6\n");
  dir.write("small_movies_b.csv", "0.5,0.25,-1\n");
  dir.write("small_movie_list.csv",
            ",mean rating,number of ratings,title\n0,4.25,2,\"Yards, The (2000)\"\n1,1.0,1,Next "
            "Friday (2000)\n");
}

std::string cf_lab_error(const TempDir& dir, bool dataset) {
  try {
    if (dataset) {
      read_cf_lab_dataset(dir.path(), DataOptions{});
    } else {
      read_cf_lab(dir.path());
    }
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("cf lab: matrices and titles", "[data]") {
  TempDir dir;
  write_cf_lab_fixture(dir);
  const CfLab lab = read_cf_lab(dir.path());
  CHECK(lab.Y.rows() == 2);
  CHECK(lab.Y.cols() == 3);
  CHECK(lab.Y(0, 2) == 3.5f);
  CHECK(lab.R.sum() == 3);
  CHECK(lab.X.cols() == 2);
  CHECK(lab.W(2, 1) == 6);
  CHECK(lab.b(0, 2) == -1);
  CHECK(lab.titles == std::vector<std::string>{"Yards, The (2000)", "Next Friday (2000)"});
}

TEST_CASE("cf lab: as a Dataset, one rating per R == 1 cell", "[data]") {
  TempDir dir;
  write_cf_lab_fixture(dir);
  const Dataset d = read_cf_lab_dataset(dir.path(), DataOptions{});
  CHECK(d.format == DataFormat::kCfLab);
  CHECK(d.num_users() == 3);
  CHECK(d.num_items() == 2);
  CHECK(d.ratings.item == std::vector<int32_t>{0, 0, 1});
  CHECK(d.ratings.user == std::vector<int32_t>{0, 2, 2});
  CHECK(d.ratings.value == std::vector<float>{5.0f, 3.5f, 1.0f});
  CHECK(d.users.id(2) == 2);
  CHECK(d.item_meta.year == std::vector<int32_t>{2000, 2000});
}

TEST_CASE("cf lab: bad input", "[data]") {
  TempDir dir;
  write_cf_lab_fixture(dir);
  dir.write("small_movies_W.csv", "1,2\n3,4\n");
  CHECK(cf_lab_error(dir, false) ==
        dir.file("small_movies_W.csv") +
            ":0: expected a 3 x 2 matrix (one row per user, as many features as "
            "small_movies_X.csv), found 2 x 2");
  dir.write("small_movies_R.csv", "1,0,1\n0,2,1\n");
  CHECK(cf_lab_error(dir, true) ==
        dir.file("small_movies_R.csv") + ":2: field 'column 2': expected 0 or 1, found \"2\"");
  dir.write("small_movies_R.csv", "1,0,1\n0,0\n");
  CHECK(cf_lab_error(dir, true) ==
        dir.file("small_movies_R.csv") + ":2: expected 3 fields, found 2");
  dir.write("small_movies_R.csv", "1,0,1\n1,0,1\n");
  CHECK(cf_lab_error(dir, true) ==
        dir.file("small_movies_Y.csv") +
            ":2: field 'column 1': expected a number in [0.5, 5] where small_movies_R.csv is "
            "1, found \"0\"");
}

TEST_CASE("cf lab: the real lab files", "[data]") {
  const std::string dir = towerrec::test::shared_data("c3w2-collab-filtering-lab");
  if (dir.empty()) {
    WARN("shared data c3w2-collab-filtering-lab not found; skipping");
    return;
  }
  const CfLab lab = read_cf_lab(dir);
  CHECK(lab.Y.rows() == 4778);
  CHECK(lab.Y.cols() == 443);
  CHECK(lab.R.sum() == 39253);
  CHECK(lab.X.cols() == 10);
  CHECK(lab.W.rows() == 443);
  CHECK(lab.b.cols() == 443);
  CHECK(lab.titles.size() == 4778);
  const Dataset d = read_cf_lab_dataset(dir, DataOptions{});
  CHECK(d.ratings.size() == 39253);
  CHECK(d.num_items() == 4778);
  CHECK(d.num_users() == 443);
}

#include "data/content_lab.h"

#include <set>

#include <catch2/catch.hpp>

#include "core/error.h"
#include "test_util.h"

using namespace towerrec;
using towerrec::test::TempDir;

namespace {

// A 3-genre miniature of the lab: user rows [id, count, ave, 3 genre averages], item rows [id,
// year, ave, 3 genre flags].
void write_content_lab_fixture(const TempDir& dir) {
  dir.write("content_user_train_header.txt",
            "user id,rating count,rating ave,Action,Comedy,Drama\n");
  dir.write("content_item_train_header.txt", "movie id,year,ave rating,Action,Comedy,Drama\n");
  dir.write("content_user_train.csv",
            "2.0,2.0,4.0,4.0,0.0,4.0\n2.0,2.0,4.0,4.0,0.0,4.0\n2.0,2.0,4.0,4.0,0.0,4.0\n5.0,1.0,3."
            "0,0.0,3.0,0.0\n");
  dir.write("content_item_train.csv",
            "10,2001,3.5,1,0,0\n10,2001,3.5,1,0,0\n20,2003,4.0,0,0,1\n30,2002,3.0,0,1,0\n");
  dir.write("content_y_train.csv", "4.0\n4.0\n4.5\n3.0\n");
  dir.write("content_item_vecs.csv", "10,2001,3.5,1,0,0\n20,2003,4.0,0,0,1\n30,2002,3.0,0,1,0\n");
}

std::string content_lab_error(const TempDir& dir) {
  try {
    read_content_lab_dataset(dir.path(), DataOptions{});
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("content lab: matrices with header names", "[data]") {
  TempDir dir;
  write_content_lab_fixture(dir);
  const ContentLab lab = read_content_lab(dir.path());
  CHECK(lab.user_train.rows == 4);
  CHECK(lab.user_train.cols() == 6);
  CHECK(lab.user_train.names[1] == "rating count");
  CHECK(lab.item_train.row(2)[1] == 2003.0f);
  CHECK(lab.y_train == std::vector<float>{4.0f, 4.0f, 4.5f, 3.0f});
  CHECK(lab.item_vecs.rows == 3);
}

TEST_CASE("content lab: as a Dataset keeps repeated rows", "[data]") {
  TempDir dir;
  write_content_lab_fixture(dir);
  Dataset d = read_content_lab_dataset(dir.path(), DataOptions{});
  CHECK(d.format == DataFormat::kContentLab);
  CHECK(d.ratings.size() == 4);  // the repeated (2, 10) row stays
  CHECK(d.duplicates_dropped == 0);
  CHECK(d.users.ids() == std::vector<int64_t>{2, 5});
  CHECK(d.items.ids() == std::vector<int64_t>{10, 20, 30});  // item_vecs order without a movie list
  CHECK(d.item_meta.year == std::vector<int32_t>{2001, 2003, 2002});
  CHECK(d.item_meta.genre_names == std::vector<std::string>{"Action", "Comedy", "Drama"});
  CHECK(d.item_meta.genres == std::vector<uint64_t>{1, 4, 2});
  CHECK(d.ratings.item == std::vector<int32_t>{0, 0, 1, 2});

  dir.write("content_movie_list.csv",
            "movieId,title,genres\n30,\"Thirty, The (2002)\",Comedy\n20,Twenty "
            "(2003),Drama\n10,Ten (2001),Action\n");
  d = read_content_lab_dataset(dir.path(), DataOptions{});
  CHECK(d.items.ids() == std::vector<int64_t>{30, 20, 10});
  CHECK(d.item_meta.title[0] == "Thirty, The (2002)");
  CHECK(d.ratings.item == std::vector<int32_t>{2, 2, 1, 0});
}

TEST_CASE("content lab: bad input", "[data]") {
  TempDir dir;
  write_content_lab_fixture(dir);
  dir.write("content_y_train.csv", "4.0\n4.0\n9\n3.0\n");
  CHECK(content_lab_error(dir) == dir.file("content_y_train.csv") +
                                      ":3: field 'y': expected a number in [0.5, 5], found \"9\"");
  dir.write("content_y_train.csv", "4.0\n4.0\n4.5\n");
  CHECK(content_lab_error(dir) ==
        dir.file("content_y_train.csv") +
            ":0: expected 4 rows (as many as content_user_train.csv), found 3");
  dir.write("content_y_train.csv", "4.0\n4.0\n4.5\n3.0\n");
  dir.write("content_item_train.csv",
            "10,2001,3.5,1,0,0\n10,2001,3.5,1,0\n20,2003,4.0,0,0,1\n30,2002,3.0,0,1,0\n");
  CHECK(content_lab_error(dir) ==
        dir.file("content_item_train.csv") +
            ":2: expected 6 fields (movie id,year,ave rating,Action,Comedy,Drama), found 5");
  dir.write("content_item_train.csv",
            "10,2001,3.5,1,0,0\n10,2001,x,1,0,0\n20,2003,4.0,0,0,1\n30,2002,3.0,0,1,0\n");
  CHECK(content_lab_error(dir) ==
        dir.file("content_item_train.csv") +
            ":2: field 'ave rating': expected a finite number, found \"x\"");
  dir.write("content_item_train.csv",
            "10,2001,3.5,1,0,0\n11,2001,3.5,1,0,0\n20,2003,4.0,0,0,1\n30,2002,3.0,0,1,0\n");
  CHECK(content_lab_error(dir) ==
        dir.file("content_item_train.csv") +
            ":2: field 'movie id': movie 11 is not in content_item_vecs.csv; add a row for it to "
            "content_item_vecs.csv or remove its rows");
  dir.write("content_item_train.csv",
            "10,2001,3.5,1,0,0\n10,2001,3.5,1,0,0\n20,2003,4.0,0,0,1\n30,2002,3.0,0,1,0\n");
  dir.write("content_user_train.csv",
            "2.5,2.0,4.0,4.0,0.0,4.0\n2.0,2.0,4.0,4.0,0.0,4.0\n2.0,2.0,4.0,4.0,0.0,4.0\n5.0,1.0,3."
            "0,0.0,3.0,0.0\n");
  CHECK(content_lab_error(dir) ==
        dir.file("content_user_train.csv") +
            ":1: field 'user id': expected an integer id >= 0, found \"2.5\"");
}

TEST_CASE("content lab: the real lab files", "[data]") {
  const std::string dir = towerrec::test::shared_data("c3w2-content-based-lab");
  if (dir.empty()) {
    WARN("shared data c3w2-content-based-lab not found; skipping");
    return;
  }
  const ContentLab lab = read_content_lab(dir);
  CHECK(lab.user_train.rows == 50884);
  CHECK(lab.user_train.cols() == 17);
  CHECK(lab.item_train.cols() == 17);
  CHECK(lab.item_vecs.rows == 847);
  CHECK(lab.y_train.size() == 50884);
  CHECK(lab.user_train.row(0)[3] == Approx(3.95));
  const Dataset d = read_content_lab_dataset(dir, DataOptions{});
  CHECK(d.ratings.size() == 50884);
  CHECK(d.num_users() == 397);
  CHECK(d.num_items() == 847);
  CHECK(std::set<int32_t>(d.ratings.item.begin(), d.ratings.item.end()).size() == 847);
  CHECK(d.item_meta.title[0] == "Save the Last Dance (2001)");
}

TEST_CASE("content lab: item vectors with more than 64 genres or an impossible year", "[data]") {
  TempDir dir;
  write_content_lab_fixture(dir);
  // 65 genre columns: they would not fit the 64-bit genre masks.
  std::string header = "movie id,year,ave rating", row = "10,2001,3.5";
  for (int g = 0; g < 65; ++g) {
    header += ",g" + std::to_string(g);
    row += ",0";
  }
  dir.write("content_item_train_header.txt", header + "\n");
  dir.write("content_item_train.csv", row + "\n" + row + "\n" + row + "\n" + row + "\n");
  dir.write("content_item_vecs.csv", row + "\n");
  CHECK(content_lab_error(dir) ==
        dir.file("content_item_train_header.txt") +
            ":1: too many genres: at most 64 are supported, found 65 genre "
            "columns after the first 3");

  TempDir dir2;
  write_content_lab_fixture(dir2);
  dir2.write("content_item_vecs.csv", "10,2001,3.5,1,0,0\n20,-3,4.0,0,0,1\n30,2002,3.0,0,1,0\n");
  CHECK(content_lab_error(dir2) ==
        dir2.file("content_item_vecs.csv") +
            ":2: field 'year': expected a year in [0, 9999], found \"-3\"");
}

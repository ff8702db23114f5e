#include "data/movielens_reader.h"

#include <cmath>

#include <catch2/catch.hpp>

#include "core/error.h"
#include "test_util.h"

using namespace towerrec;
using towerrec::test::TempDir;

namespace {

const char* kMovies =
    "movieId,title,genres\n"
    "1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\n"
    "11,\"American President, The (1995)\",Comedy|Drama|Romance\n"
    "20,Untitled,(no genres listed)\n"
    "7,\"Say \"\"Hello\"\" (2001) \",Drama\n";

const char* kRatings =
    "userId,movieId,rating,timestamp\n"
    "5,11,4.0,100\n"
    "5,1,3.5,101\n"
    "2,1,0.5,102\n"
    "9,7,5,103\n";

std::string movielens_error(const TempDir& dir, const DataOptions& opts = {}) {
  try {
    read_movielens(dir.path(), opts);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("movielens: catalogue order, first-appearance users, titles, years, genres", "[data]") {
  TempDir dir;
  dir.write("movies.csv", kMovies);
  dir.write("ratings.csv", kRatings);
  const Dataset d = read_movielens(dir.path(), DataOptions{});
  CHECK(d.format == DataFormat::kMovielens);
  CHECK(d.items.ids() == std::vector<int64_t>{1, 11, 20, 7});
  CHECK(d.users.ids() == std::vector<int64_t>{5, 2, 9});
  REQUIRE(d.ratings.size() == 4);
  CHECK(d.ratings.user == std::vector<int32_t>{0, 0, 1, 2});
  CHECK(d.ratings.item == std::vector<int32_t>{1, 0, 0, 3});
  CHECK(d.ratings.value == std::vector<float>{4.0f, 3.5f, 0.5f, 5.0f});
  CHECK(d.ratings.timestamp == std::vector<int64_t>{100, 101, 102, 103});
  CHECK(d.item_meta.title[1] == "American President, The (1995)");
  CHECK(d.item_meta.title[3] == "Say \"Hello\" (2001) ");
  CHECK(d.item_meta.year == std::vector<int32_t>{1995, 1995, 0, 2001});
  CHECK(d.item_meta.genre_names == std::vector<std::string>{"Adventure", "Animation", "Children",
                                                            "Comedy", "Fantasy", "Drama",
                                                            "Romance"});
  CHECK(d.item_meta.genres[0] == 0b11111);
  CHECK(d.item_meta.genres[1] == (0b1000 | 0b100000 | 0b1000000));
  CHECK(d.item_meta.genres[2] == 0);
  CHECK(d.user_meta.columns.empty());
  CHECK(d.duplicates_dropped == 0);
}

TEST_CASE("movielens: CRLF, a BOM and no final newline are accepted", "[data]") {
  TempDir dir;
  dir.write("movies.csv", "\xEF\xBB\xBFmovieId,title,genres\r\n1,A (2000),Drama\r\n2,B,Comedy");
  dir.write("ratings.csv", "\xEF\xBB\xBFuserId,movieId,rating,timestamp\r\n1,1,4,10\r\n1,2,3,11");
  const Dataset d = read_movielens(dir.path(), DataOptions{});
  CHECK(d.ratings.size() == 2);
  CHECK(d.ratings.timestamp[1] == 11);
  CHECK(d.item_meta.title[1] == "B");
}

TEST_CASE("movielens: users.csv columns are numeric or categorical by content", "[data]") {
  TempDir dir;
  dir.write("movies.csv", kMovies);
  dir.write("ratings.csv", kRatings);
  dir.write("users.csv",
            "userId,age,gender,occupation\n"
            "9,31,F,\n"
            "5,,M,12\n"
            "42,18.5,F,writer\n");
  const Dataset d = read_movielens(dir.path(), DataOptions{});
  CHECK(d.users.ids() == std::vector<int64_t>{5, 2, 9, 42});  // 42 has no ratings: added after
  REQUIRE(d.user_meta.columns.size() == 3);
  const auto& age = d.user_meta.columns[0];
  CHECK(age.name == "age");
  CHECK_FALSE(age.categorical);
  REQUIRE(age.numeric.size() == 4);
  CHECK(std::isnan(age.numeric[0]));  // empty = missing
  CHECK(std::isnan(age.numeric[1]));  // user 2 is not in users.csv
  CHECK(age.numeric[2] == 31.0f);
  CHECK(age.numeric[3] == 18.5f);
  const auto& gender = d.user_meta.columns[1];
  CHECK(gender.categorical);
  CHECK(gender.categories == std::vector<std::string>{"F", "M"});
  CHECK(gender.code == std::vector<int32_t>{1, -1, 0, 0});
  const auto& occ = d.user_meta.columns[2];
  CHECK(occ.categorical);  // "writer" is not a number
  CHECK(occ.categories == std::vector<std::string>{"12", "writer"});
  CHECK(occ.code == std::vector<int32_t>{0, -1, -1, 1});
}

TEST_CASE("movielens: bad input names file, line, field, expectation and value", "[data]") {
  TempDir dir;
  dir.write("movies.csv", kMovies);
  const std::string ratings = dir.file("ratings.csv");
  const std::string head = "userId,movieId,rating,timestamp\n";

  dir.write("ratings.csv", head + "1,1,abc,5\n");
  CHECK(movielens_error(dir) ==
        ratings + ":2: field 'rating': expected a number in [0.5, 5], found \"abc\"");
  dir.write("ratings.csv", head + "1,1,4,5\n1,11,5.5,6\n");
  CHECK(movielens_error(dir) ==
        ratings + ":3: field 'rating': expected a number in [0.5, 5], found \"5.5\"");
  dir.write("ratings.csv", head + "1,1,NaN,5\n");
  CHECK(movielens_error(dir) ==
        ratings + ":2: field 'rating': expected a number in [0.5, 5], found \"NaN\"");
  dir.write("ratings.csv", head + "1,1,inf,5\n");
  CHECK(movielens_error(dir) ==
        ratings + ":2: field 'rating': expected a number in [0.5, 5], found \"inf\"");
  dir.write("ratings.csv", head + "-1,1,4,5\n");
  CHECK(movielens_error(dir) ==
        ratings + ":2: field 'userId': expected an integer in [0, 2147483647], found \"-1\"");
  dir.write("ratings.csv", head + "2147483648,1,4,5\n");
  CHECK(movielens_error(dir) ==
        ratings +
            ":2: field 'userId': expected an integer in [0, 2147483647], found \"2147483648\"");
  dir.write("ratings.csv", head + "1,1.5,4,5\n");
  CHECK(movielens_error(dir) ==
        ratings + ":2: field 'movieId': expected an integer in [0, 2147483647], found \"1.5\"");
  dir.write("ratings.csv", head + "1,1,4,yesterday\n");
  CHECK(movielens_error(dir) == ratings +
                                    ":2: field 'timestamp': expected an integer (seconds since the "
                                    "epoch), found \"yesterday\"");
  dir.write("ratings.csv", head + "1,1,4,5\n1,999,4,5\n");
  CHECK(movielens_error(dir) ==
        ratings +
            ":3: field 'movieId': movie 999 is not in movies.csv; add a row for it to "
            "movies.csv or remove its ratings");
  dir.write("ratings.csv", head + "1,1,4,5,extra\n");
  CHECK(movielens_error(dir) ==
        ratings + ":2: expected 4 fields (userId,movieId,rating,timestamp), found 5");
  dir.write("ratings.csv", head + "1,1,4,5\n1,11\n2,1,3,4\n");
  CHECK(movielens_error(dir) ==
        ratings + ":3: expected 4 fields (userId,movieId,rating,timestamp), found 2");
  dir.write("ratings.csv", head + "1,1,4,5\n1,11,4");
  CHECK(movielens_error(dir) ==
        ratings +
            ":3: expected 4 fields (userId,movieId,rating,timestamp), found 3; the last "
            "line has no newline: is the file truncated?");
  dir.write("ratings.csv", head + "1,1,4,5\n\n1,11,4,5\n");
  CHECK(movielens_error(dir) ==
        ratings + ":3: expected 4 fields (userId,movieId,rating,timestamp), found an empty line");
  dir.write("ratings.csv", "");
  CHECK(movielens_error(dir) ==
        ratings + ":0: empty file; expected the header \"userId,movieId,rating,timestamp\"");
  dir.write("ratings.csv", head);
  CHECK(movielens_error(dir) ==
        ratings +
            ":1: no ratings: expected rows of userId,movieId,rating,timestamp after the header");
  dir.write("ratings.csv", "1,1,4,5\n");
  CHECK(movielens_error(dir) ==
        ratings + ":1: expected the header \"userId,movieId,rating,timestamp\", found \"1,1,4,5\"");
  dir.write("ratings.csv", "user,movie,rating,timestamp\n1,1,4,5\n");
  CHECK(movielens_error(dir) ==
        ratings +
            ":1: expected the header \"userId,movieId,rating,timestamp\", found "
            "\"user,movie,rating,timestamp\"");
}

TEST_CASE("movielens: bad movies.csv and users.csv", "[data]") {
  TempDir dir;
  dir.write("ratings.csv", kRatings);
  const std::string movies = dir.file("movies.csv");
  dir.write("movies.csv", "movieId,title,genres\n1,\"Toy Story (1995),Comedy\n2,x,y\n");
  CHECK(movielens_error(dir) ==
        movies + ":2: unterminated quoted field: a '\"' opened on this line is never closed");
  dir.write("movies.csv", "movieId,title\n1,x\n");
  CHECK(movielens_error(dir) ==
        movies + ":1: expected the header \"movieId,title,genres\", found \"movieId,title\"");
  dir.write("movies.csv", "movieId,title,genres\n1,a,Drama\n1,b,Drama\n");
  CHECK(movielens_error(dir) ==
        movies + ":3: movie id 1 appears twice in the catalogue (each id once)");
  dir.write("movies.csv", "movieId,title,genres\nx1,a,Drama\n");
  CHECK(movielens_error(dir) ==
        movies + ":2: field 'movieId': expected an integer in [0, 2147483647], found \"x1\"");

  dir.write("movies.csv", kMovies);
  const std::string users = dir.file("users.csv");
  dir.write("users.csv", "id,age\n1,20\n");
  CHECK(movielens_error(dir) ==
        users +
            ":1: expected a header \"userId,<column>,...\" (at least one demographic "
            "column), found \"id,age\"");
  dir.write("users.csv", "userId,age\n5,20\n5,21\n");
  CHECK(movielens_error(dir) == users + ":3: user 5 is listed twice (first at line 2)");
  dir.write("users.csv", "userId,age,gender\n5,20\n");
  CHECK(movielens_error(dir) == users + ":2: expected 3 fields (userId,age,gender), found 2");
}

TEST_CASE("movielens: missing files and directories in the way", "[data]") {
  TempDir dir;
  dir.write("ratings.csv", kRatings);
  CHECK(movielens_error(dir).find("cannot open " + dir.file("movies.csv")) == 0);
  dir.write("movies.csv/x", "");
  CHECK(movielens_error(dir) == dir.file("movies.csv") + ":0: expected a file, found a directory");
}

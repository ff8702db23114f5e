#include "data/duplicate_ratings.h"

#include <catch2/catch.hpp>

#include "core/error.h"
#include "data/movielens_reader.h"
#include "test_util.h"

using namespace towerrec;
using towerrec::test::TempDir;

namespace {

const char* kDramaMovies = "movieId,title,genres\n1,a,Drama\n2,b,Drama\n3,c,Drama\n";

DataOptions with_policy(DuplicatePolicy p) {
  DataOptions opts;
  opts.duplicates = p;
  return opts;
}

}  // namespace

TEST_CASE("duplicates: last keeps the later timestamp, ties go to the later line", "[data]") {
  TempDir dir;
  dir.write("movies.csv", kDramaMovies);
  dir.write("ratings.csv",
            "userId,movieId,rating,timestamp\n"
            "1,1,1.0,50\n"  // dropped: line 5 is later in time
            "1,2,2.0,90\n"  // kept: line 6 is older
            "2,1,3.0,10\n"  // dropped: tie with line 7, which comes later
            "1,1,4.0,60\n"
            "1,2,5.0,80\n"
            "2,1,3.5,10\n"
            "2,3,4.5,1\n");
  const Dataset d = read_movielens(dir.path(), with_policy(DuplicatePolicy::kLast));
  CHECK(d.duplicates_dropped == 3);
  CHECK(d.ratings.value == std::vector<float>{2.0f, 4.0f, 3.5f, 4.5f});  // file order kept
  CHECK(d.ratings.timestamp == std::vector<int64_t>{90, 60, 10, 1});
}

TEST_CASE("duplicates: users grouped or interleaved give the same result", "[data]") {
  TempDir dir;
  dir.write("movies.csv", kDramaMovies);
  dir.write("ratings.csv",
            "userId,movieId,rating,timestamp\n"
            "1,1,1,1\n1,1,2,2\n1,1,3,3\n2,2,4,1\n2,2,5,0\n");
  const Dataset grouped = read_movielens(dir.path(), with_policy(DuplicatePolicy::kLast));
  CHECK(grouped.duplicates_dropped == 3);
  CHECK(grouped.ratings.value == std::vector<float>{3, 4});
}

TEST_CASE("duplicates: error names both lines", "[data]") {
  TempDir dir;
  dir.write("movies.csv", kDramaMovies);
  dir.write("ratings.csv",
            "userId,movieId,rating,timestamp\n"
            "2,3,1,1\n1,1,2,2\n2,1,1,1\n1,2,1,1\n2,3,4,5\n1,1,3,3\n");
  try {
    read_movielens(dir.path(), with_policy(DuplicatePolicy::kError));
    FAIL("no error");
  } catch (const InputError& e) {
    // Lines 6 and 7 both repeat an earlier pair; the earliest repeat is reported.
    CHECK(std::string(e.what()) == dir.file("ratings.csv") +
                                       ":6: duplicate rating: userId 2 already rated movieId 3 at "
                                       "line 2 (data.duplicates is \"error\"; "
                                       "set it to \"last\" to keep the latest)");
  }
  const Dataset d = read_movielens(dir.path(), with_policy(DuplicatePolicy::kLast));
  CHECK(d.duplicates_dropped == 2);
  CHECK(d.ratings.value == std::vector<float>{1, 1, 4, 3});
}

#include "data/dataset_stats.h"

#include <catch2/catch.hpp>

#include "data/movielens_reader.h"
#include "test_util.h"

using namespace towerrec;
using towerrec::test::TempDir;

TEST_CASE("stats: counts, histogram, genres, demographics", "[data]") {
  TempDir dir;
  dir.write("movies.csv",
            "movieId,title,genres\n1,a,Drama|Comedy\n2,b,Drama\n3,c,(no genres listed)\n");
  dir.write("ratings.csv",
            "userId,movieId,rating,timestamp\n1,1,4,1\n1,2,4,2\n2,1,2.5,3\n2,1,3,4\n");
  dir.write("users.csv", "userId,age,gender\n1,20,F\n2,40,M\n3,,F\n");
  const DatasetStats s = compute_dataset_stats(read_movielens(dir.path(), DataOptions{}));
  CHECK(s.users == 3);
  CHECK(s.items == 3);
  CHECK(s.rated_items == 2);
  CHECK(s.ratings == 3);
  CHECK(s.duplicates_dropped == 1);
  CHECK(s.sparsity == Approx(1 - 3.0 / 9));
  CHECK(s.rating_mean == Approx(11.0 / 3));
  CHECK(s.histogram == std::vector<std::pair<double, int64_t>>{{3, 1}, {4, 2}});
  CHECK(s.genre_items == std::vector<std::pair<std::string, int64_t>>{{"Drama", 2}, {"Comedy", 1}});
  CHECK(s.items_without_genre == 1);
  REQUIRE(s.demographics.size() == 2);
  CHECK(s.demographics[0].min == 20);
  CHECK(s.demographics[0].mean == 30);
  CHECK(s.demographics[0].max == 40);
  CHECK(s.demographics[0].missing == 1);
  CHECK(s.demographics[1].categories ==
        std::vector<std::pair<std::string, int64_t>>{{"F", 2}, {"M", 1}});
  const std::string text = format_dataset_stats(s);
  CHECK(text.find("format:             movielens\n") != std::string::npos);
  CHECK(text.find("items:              3 (2 rated)\n") != std::string::npos);
  CHECK(text.find("sparsity:           66.6667% (density 33.3333%)\n") != std::string::npos);
  CHECK(text.find("duplicates dropped: 1\n") != std::string::npos);
  CHECK(text.find("  age (numeric): min 20, mean 30.00, max 40; missing 1\n") != std::string::npos);
  CHECK(text.find("  gender (categorical): F 2, M 1; missing 0\n") != std::string::npos);
}

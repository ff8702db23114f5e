#include "data/ml100k_reader.h"

#include <cmath>

#include <catch2/catch.hpp>

#include "core/error.h"
#include "test_util.h"

using namespace towerrec;
using towerrec::test::TempDir;

namespace {

std::string item_line(int id, const std::string& title, const std::string& date, int genre_a,
                      int genre_b) {
  std::string s = std::to_string(id) + "|" + title + "|" + date + "||http://x";
  for (int g = 0; g < 19; ++g) s += (g == genre_a || g == genre_b) ? "|1" : "|0";
  return s + "\n";
}

void write_ml100k_fixture(const TempDir& dir) {
  // "Cit\xe9" is latin-1 for "Cité".
  dir.write("u.item", item_line(1, "Toy Story (1995)", "01-Jan-1995", 3, 4) +
                          item_line(2, "La Cit\xe9 (1996)", "", 8, -1) +
                          item_line(3, "Unrated (1997)", "05-May-1997", 0, -1));
  dir.write("u.data", "7\t2\t3\t881250949\n4\t1\t5\t881250950\n7\t1\t1\t881250951\n");
  dir.write("u.user", "4|24|M|technician|85711\n7|53|F|other|94043\n8|30|M|writer|11111\n");
}

std::string ml100k_error(const TempDir& dir) {
  try {
    read_ml100k(dir.path(), DataOptions{});
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("ml100k: u.item, u.data and u.user", "[data]") {
  TempDir dir;
  write_ml100k_fixture(dir);
  const Dataset d = read_ml100k(dir.path(), DataOptions{});
  CHECK(d.format == DataFormat::kMl100k);
  CHECK(d.items.ids() == std::vector<int64_t>{1, 2, 3});
  CHECK(d.users.ids() == std::vector<int64_t>{7, 4, 8});
  CHECK(d.ratings.item == std::vector<int32_t>{1, 0, 0});
  CHECK(d.ratings.value == std::vector<float>{3, 5, 1});
  CHECK(d.item_meta.title[1] == "La Cit\xc3\xa9 (1996)");
  CHECK(d.item_meta.year == std::vector<int32_t>{1995, 0, 1997});
  REQUIRE(d.item_meta.genre_names.size() == 19);
  CHECK(d.item_meta.genre_names[4] == "Children's");
  CHECK(d.item_meta.genres[0] == ((1u << 3) | (1u << 4)));
  CHECK(d.item_meta.genres[1] == (1u << 8));
  REQUIRE(d.user_meta.columns.size() == 3);
  CHECK(d.user_meta.columns[0].name == "age");
  CHECK(d.user_meta.columns[0].numeric == std::vector<float>{53, 24, 30});
  CHECK(d.user_meta.columns[1].categories == std::vector<std::string>{"M", "F"});
  CHECK(d.user_meta.columns[1].code == std::vector<int32_t>{1, 0, 0});
  CHECK(d.user_meta.columns[2].categories ==
        std::vector<std::string>{"technician", "other", "writer"});
}

TEST_CASE("ml100k: u.genre names the flags", "[data]") {
  TempDir dir;
  write_ml100k_fixture(dir);
  std::string genre;
  for (int g = 0; g < 19; ++g) genre += "G" + std::to_string(g) + "|" + std::to_string(g) + "\n";
  dir.write("u.genre", genre + "\n");
  const Dataset d = read_ml100k(dir.path(), DataOptions{});
  CHECK(d.item_meta.genre_names[18] == "G18");
  dir.write("u.genre", "a|0\nb|2\n");
  CHECK(ml100k_error(dir) ==
        dir.file("u.genre") + ":2: field 'index': expected an integer in [1, 1], found \"2\"");
}

TEST_CASE("ml100k: bad input", "[data]") {
  TempDir dir;
  write_ml100k_fixture(dir);
  dir.write("u.data", "7\t2\t3\t881250949\n4\t1\t6\t881250950\n");
  CHECK(ml100k_error(dir) ==
        dir.file("u.data") + ":2: field 'rating': expected a number in [0.5, 5], found \"6\"");
  dir.write("u.data", "7\t9\t3\t881250949\n");
  CHECK(ml100k_error(dir) ==
        dir.file("u.data") +
            ":1: field 'item id': movie 9 is not in u.item; add a row for it to "
            "u.item or remove its ratings");
  dir.write("u.data", "7 2 3 881250949\n");
  CHECK(ml100k_error(dir) ==
        dir.file("u.data") +
            ":1: expected 4 fields (user id<tab>item id<tab>rating<tab>timestamp), found 1");
}

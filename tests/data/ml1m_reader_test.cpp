#include "data/ml1m_reader.h"

#include <catch2/catch.hpp>

#include "core/error.h"
#include "test_util.h"

using namespace towerrec;
using towerrec::test::TempDir;

namespace {

void write_ml1m_fixture(const TempDir& dir) {
  dir.write("movies.dat",
            "1::Toy Story (1995)::Animation|Children's|Comedy\n"
            "2::Jumanji (1995)::Adventure|Children's|Fantasy\n"
            "3::Cit\xe9 des enfants perdus, La (1995)::Adventure|Sci-Fi\n");
  dir.write("ratings.dat", "1::2::5::978300760\r\n1::1::3::978302109\r\n6::3::4::978301968\r\n");
  dir.write("users.dat", "1::F::1::10::48067\n6::M::56::16::70072\n10::F::35::1::95370\n");
}

std::string ml1m_error(const TempDir& dir) {
  try {
    read_ml1m(dir.path(), DataOptions{});
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("ml1m: '::' files, latin-1 titles, users.dat codes", "[data]") {
  TempDir dir;
  write_ml1m_fixture(dir);
  const Dataset d = read_ml1m(dir.path(), DataOptions{});
  CHECK(d.format == DataFormat::kMl1m);
  CHECK(d.items.ids() == std::vector<int64_t>{1, 2, 3});
  CHECK(d.users.ids() == std::vector<int64_t>{1, 6, 10});
  CHECK(d.ratings.item == std::vector<int32_t>{1, 0, 2});
  CHECK(d.ratings.value == std::vector<float>{5, 3, 4});
  CHECK(d.ratings.timestamp[2] == 978301968);
  CHECK(d.item_meta.title[2] == "Cit\xc3\xa9 des enfants perdus, La (1995)");
  CHECK(d.item_meta.year == std::vector<int32_t>{1995, 1995, 1995});
  CHECK(d.item_meta.genre_names == std::vector<std::string>{"Animation", "Children's", "Comedy",
                                                            "Adventure", "Fantasy", "Sci-Fi"});
  REQUIRE(d.user_meta.columns.size() == 3);
  CHECK(d.user_meta.columns[0].name == "age");
  CHECK_FALSE(d.user_meta.columns[0].categorical);
  CHECK(d.user_meta.columns[0].numeric == std::vector<float>{1, 56, 35});
  CHECK(d.user_meta.columns[1].name == "gender");
  CHECK(d.user_meta.columns[1].code == std::vector<int32_t>{0, 1, 0});
  CHECK(d.user_meta.columns[2].name == "occupation");
  CHECK(d.user_meta.columns[2].categorical);
  CHECK(d.user_meta.columns[2].categories == std::vector<std::string>{"10", "16", "1"});
}

TEST_CASE("ml1m: bad input", "[data]") {
  TempDir dir;
  write_ml1m_fixture(dir);
  dir.write("users.dat", "1::F::old::10::48067\n");
  CHECK(ml1m_error(dir) ==
        dir.file("users.dat") + ":1: field 'age': expected a finite number, found \"old\"");
  dir.write("users.dat", "1::F::1::10\n");
  CHECK(ml1m_error(dir) ==
        dir.file("users.dat") +
            ":1: expected 5 fields (UserID::Gender::Age::Occupation::Zip-code), found 4");
  dir.write("ratings.dat", "1::2::5::978300760\n1:1::3::978302109\n");
  CHECK(ml1m_error(dir) ==
        dir.file("ratings.dat") +
            ":2: expected 4 fields (UserID::MovieID::Rating::Timestamp), found 3");
  dir.write("ratings.dat", "1::2::0::978300760\n");
  CHECK(ml1m_error(dir) ==
        dir.file("ratings.dat") + ":1: field 'Rating': expected a number in [0.5, 5], found \"0\"");
}

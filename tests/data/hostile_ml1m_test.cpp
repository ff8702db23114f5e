// Hostile inputs for the MovieLens 1M layout ('::'-separated ratings.dat, movies.dat, users.dat;
// ISO-8859-1): one CTest test per row.
#include "hostile_data.h"

// A named namespace, not an anonymous one: unity builds compile several case tables in one
// translation unit, and each table has its own kBase, ratings(), registered.
namespace towerrec::test::hostile_ml1m {

const Files kBase = {
    {"movies.dat",
     "1::Toy Story (1995)::Animation|Children's|Comedy\n2::Heat (1995)::Action|Crime\n"},
    {"ratings.dat", "1::1::5::978300760\n1::2::3::978302109\n2::1::4::978301968\n"},
    {"users.dat", "1::F::1::10::48067\n2::M::56::16::70072\n"},
};

const std::string kFields = "expected 4 fields (UserID::MovieID::Rating::Timestamp), found ";
const std::string kRating = "field 'Rating': expected a number in [0.5, 5], found ";

DataCase ratings(std::string name, std::string rows, std::string expected) {
  return {std::move(name), {{"ratings.dat", std::move(rows)}}, "ratings.dat:" + expected, {}};
}
DataCase movies(std::string name, std::string rows, std::string expected) {
  return {std::move(name), {{"movies.dat", std::move(rows)}}, "movies.dat:" + expected, {}};
}
DataCase users(std::string name, std::string rows, std::string expected) {
  return {std::move(name), {{"users.dat", std::move(rows)}}, "users.dat:" + expected, {}};
}

const bool registered = register_rows<DataCase>(
    "hostile ml1m", "[data][hostile]",
    {
        ratings("ratings.dat empty file", "",
                "0: empty file; expected ratings (UserID::MovieID::Rating::Timestamp)"),
        ratings("ratings.dat missing column", "1::1::5\n", "1: " + kFields + "3"),
        ratings("ratings.dat extra column", "1::1::5::1::1\n", "1: " + kFields + "5"),
        ratings("ratings.dat single colons", "1:1:5:978300760\n", "1: " + kFields + "1"),
        ratings("ratings.dat rating not a number", "1::1::five::1\n", "1: " + kRating + "\"five\""),
        ratings("ratings.dat rating NaN", "1::1::NAN::1\n", "1: " + kRating + "\"NAN\""),
        ratings("ratings.dat rating off the scale", "1::1::0::1\n", "1: " + kRating + "\"0\""),
        ratings("ratings.dat user id negative", "-1::1::5::1\n",
                "1: field 'UserID': expected an integer in [0, 2147483647], found \"-1\""),
        ratings("ratings.dat movie not in movies.dat", "1::9::5::1\n",
                "1: field 'MovieID': movie 9 is not in movies.dat; add a row for it to movies.dat "
                "or remove its ratings"),
        ratings(
            "ratings.dat timestamp not an integer", "1::1::5::1.5\n",
            "1: field 'Timestamp': expected an integer (seconds since the epoch), found \"1.5\""),
        ratings("ratings.dat truncated", "1::1::5::978300760\n2::1",
                "2: " + kFields + "2; the last line has no newline: is the file truncated?"),
        ratings("ratings.dat blank line between records", "1::1::5::1\n\n2::1::4::2\n",
                "2: " + kFields + "an empty line"),
        ratings("ratings.dat 10 MB single line", "1::1::" + ten_megabytes() + "::1\n",
                "1: " + kRating + "\"" + std::string(40, '7') + "\"... (10485760 bytes)"),
        {"ratings.dat is a directory",
         {{"ratings.dat", kMakeDir}},
         "ratings.dat:0: expected a file, found a directory"},
        {"ratings.dat CRLF and BOM (accepted)",
         {{"ratings.dat",
           "\xEF\xBB\xBF"
           "1::1::5::10\r\n2::2::1.5::11\r\n"}},
         "",
         [](const Dataset& d) {
           CHECK(loaded_rows(d) == std::vector<std::string>{"1,1,5,10", "2,2,1.5,11"});
         }},
        movies("movies.dat empty file", "",
               "0: empty file; expected movies (MovieID::Title::Genres)"),
        movies("movies.dat missing column", "1::Toy Story (1995)\n",
               "1: expected 3 fields (MovieID::Title::Genres), found 2"),
        movies("movies.dat separator inside a title", "1::Toy::Story (1995)::Comedy\n",
               "1: expected 3 fields (MovieID::Title::Genres), found 4"),
        movies("movies.dat movie id twice", "1::A::Comedy\n1::B::Drama\n",
               "2: movie id 1 appears twice in the catalogue (each id once)"),
        movies("movies.dat empty genre name", "1::A::Comedy|\n",
               "1: empty genre name in \"Comedy|\""),
        {"movies.dat ISO-8859-1 titles and genres are converted (accepted)",
         {{"movies.dat",
           "1::Am\xe9lie (2001)::Com\xe9"
           "die\n2::Heat (1995)::Action\n"}},
         "",
         [](const Dataset& d) {
           CHECK(d.item_meta.title ==
                 std::vector<std::string>{"Am\xc3\xa9lie (2001)", "Heat (1995)"});
           CHECK(d.item_meta.year == std::vector<int32_t>{2001, 1995});
           CHECK(d.item_meta.genre_names == std::vector<std::string>{"Com\xc3\xa9"
                                                                     "die",
                                                                     "Action"});
         }},
        users("users.dat empty file", "",
              "0: empty file; expected users (UserID::Gender::Age::Occupation::Zip-code)"),
        users("users.dat missing column", "1::F::1::10\n",
              "1: expected 5 fields (UserID::Gender::Age::Occupation::Zip-code), found 4"),
        users("users.dat age not a number", "1::F::young::10::48067\n",
              "1: field 'age': expected a finite number, found \"young\""),
        users("users.dat user twice", "1::F::1::10::48067\n1::M::1::10::48067\n",
              "2: user 1 is listed twice (first at line 1)"),
        {"users.dat ISO-8859-1 categories are converted (accepted)",
         {{"users.dat", "1::F::1::10::48067\n2::\xc9::56::16::70072\n"}},
         "",
         [](const Dataset& d) {
           REQUIRE(d.user_meta.columns.size() == 3);
           CHECK(d.user_meta.columns[1].categories == std::vector<std::string>{"F", "\xc3\x89"});
           CHECK(d.user_meta.columns[0].numeric == std::vector<float>{1, 56});
         }},
    },
    [](const DataCase& c) { run_data_case(kBase, c); });

}  // namespace towerrec::test::hostile_ml1m

// Hostile inputs for the MovieLens CSV layout (ratings.csv, movies.csv, users.csv): one CTest test
// per row. Policies (CRLF, BOM, duplicates, quoting) are in docs/ingest.md.
#include <cmath>

#include "hostile_data.h"

// A named namespace, not an anonymous one: unity builds compile several case tables in one
// translation unit, and each table has its own kBase, ratings(), registered.
namespace towerrec::test::hostile_movielens {

const std::string R = "userId,movieId,rating,timestamp\n";
const std::string M = "movieId,title,genres\n";
const std::string U = "userId,age,occupation\n";

const Files kBase = {
    {"movies.csv", M + "1,Toy Story (1995),Animation|Comedy\n2,\"Heat, The (1995)\",Action|Crime\n"
                       "3,Up (2009),Animation\n"},
    {"ratings.csv", R + "1,1,4,100\n1,2,3.5,101\n2,1,5,102\n2,3,2,103\n"},
    {"users.csv", U + "1,25,writer\n2,,artist\n"},
};

const std::string kRatingField = "field 'rating': expected a number in [0.5, 5], found ";
const std::string kUserField = "field 'userId': expected an integer in [0, 2147483647], found ";
const std::string kFields = "expected 4 fields (userId,movieId,rating,timestamp), found ";

DataCase ratings(std::string name, std::string rows, std::string expected) {
  return {std::move(name), {{"ratings.csv", R + rows}}, "ratings.csv:" + expected, {}};
}
DataCase movies(std::string name, std::string rows, std::string expected) {
  return {std::move(name), {{"movies.csv", M + rows}}, "movies.csv:" + expected, {}};
}
DataCase users(std::string name, std::string rows, std::string expected) {
  return {std::move(name), {{"users.csv", U + rows}}, "users.csv:" + expected, {}};
}
DataCase duplicates_error(DataCase c) {
  c.duplicates = DuplicatePolicy::kError;
  return c;
}
std::function<void(const Dataset&)> rows_are(std::vector<std::string> want) {
  return [want](const Dataset& d) { CHECK(loaded_rows(d) == want); };
}

std::string many_genres(int n) {
  std::string g;
  for (int i = 0; i < n; ++i) g += (i ? "|g" : "g") + std::to_string(i);
  return g;
}

const bool registered = register_rows<DataCase>(
    "hostile movielens", "[data][hostile]",
    {
        // ratings.csv: shape of the file
        {"ratings.csv empty file",
         {{"ratings.csv", ""}},
         "ratings.csv:0: empty file; expected the header \"userId,movieId,rating,timestamp\""},
        ratings("ratings.csv header only", "",
                "1: no ratings: expected rows of userId,movieId,rating,timestamp after the header"),
        {"ratings.csv without its header",
         {{"ratings.csv", "1,1,4,100\n"}},
         "ratings.csv:1: expected the header \"userId,movieId,rating,timestamp\", found "
         "\"1,1,4,100\""},
        {"ratings.csv header missing a column",
         {{"ratings.csv", "userId,movieId,rating\n1,1,4\n"}},
         "ratings.csv:1: expected the header \"userId,movieId,rating,timestamp\", found "
         "\"userId,movieId,rating\""},
        ratings("ratings.csv missing column", "1,1,4,100\n1,2,4\n", "3: " + kFields + "3"),
        ratings("ratings.csv extra column", "1,1,4,100,x\n", "2: " + kFields + "5"),
        ratings("ratings.csv blank line between records", "1,1,4,100\n\n2,1,5,102\n",
                "3: " + kFields + "an empty line"),
        ratings("ratings.csv truncated last line", "1,1,4,100\n2,1",
                "3: " + kFields + "2; the last line has no newline: is the file truncated?"),
        ratings("ratings.csv 10 MB single line", "1,1," + ten_megabytes() + ",100\n",
                "2: " + kRatingField + "\"" + std::string(40, '7') + "\"... (10485760 bytes)"),
        ratings("ratings.csv 10 MB line without separators", ten_megabytes() + "\n",
                "2: " + kFields + "1"),
        {"ratings.csv is a directory",
         {{"ratings.csv", kMakeDir}},
         "ratings.csv:0: expected a file, found a directory"},
        // ratings.csv: values
        ratings("rating not a number", "1,1,abc,100\n", "2: " + kRatingField + "\"abc\""),
        ratings("rating NaN", "1,1,nan,100\n", "2: " + kRatingField + "\"nan\""),
        ratings("rating NaN upper case", "1,1,NaN,100\n", "2: " + kRatingField + "\"NaN\""),
        ratings("rating infinite", "1,1,inf,100\n", "2: " + kRatingField + "\"inf\""),
        ratings("rating huge", "1,1,1e309,100\n", "2: " + kRatingField + "\"1e309\""),
        ratings("rating above the scale", "1,1,5.5,100\n", "2: " + kRatingField + "\"5.5\""),
        ratings("rating below the scale", "1,1,0,100\n", "2: " + kRatingField + "\"0\""),
        ratings("rating negative", "1,1,-4,100\n", "2: " + kRatingField + "\"-4\""),
        ratings("rating empty", "1,1,,100\n", "2: " + kRatingField + "\"\""),
        ratings("rating with invalid UTF-8", "1,1,4\xff,100\n",
                "2: " + kRatingField + "\"4\\xff\""),
        ratings("rating with a NUL byte", std::string("1,1,4\0,100\n", 11),
                "2: " + kRatingField + "\"4\\x00\""),
        ratings("user id negative", "-1,1,4,100\n", "2: " + kUserField + "\"-1\""),
        ratings("user id above int32", "2147483648,1,4,100\n",
                "2: " + kUserField + "\"2147483648\""),
        ratings("user id overflowing int64", "99999999999999999999,1,4,100\n",
                "2: " + kUserField + "\"99999999999999999999\""),
        ratings("user id empty", ",1,4,100\n", "2: " + kUserField + "\"\""),
        ratings("movie id fractional", "1,1.5,4,100\n",
                "2: field 'movieId': expected an integer in [0, 2147483647], found \"1.5\""),
        ratings("movie id not in movies.csv", "1,999,4,100\n",
                "2: field 'movieId': movie 999 is not in movies.csv; add a row for it to "
                "movies.csv or remove its ratings"),
        ratings("timestamp not a number", "1,1,4,yesterday\n",
                "2: field 'timestamp': expected an integer (seconds since the epoch), found "
                "\"yesterday\""),
        duplicates_error(
            ratings("duplicate rows with data.duplicates error", "1,1,4,100\n1,2,3,101\n1,1,2,99\n",
                    "4: duplicate rating: userId 1 already rated movieId 1 at line 2")),
        // ratings.csv: quoting
        ratings("ratings.csv unterminated quote", "1,1,4,100\n2,\"1,5,102\n2,3,2,103\n",
                "3: unterminated quoted field: a '\"' opened on this line is never closed"),
        ratings("ratings.csv text after a closing quote", "1,\"1\"x,4,100\n",
                "2: expected a separator or a line end after a closing quote, found \"x,4,100"),
        // accepted by policy: exact values
        {"ratings.csv duplicate rows keep the latest (accepted)",
         {{"ratings.csv", R + "1,1,4,100\n1,2,3,101\n1,1,2,99\n1,1,5,100\n"}},
         "",
         [](const Dataset& d) {
           CHECK(loaded_rows(d) == std::vector<std::string>{"1,2,3,101", "1,1,5,100"});
           CHECK(d.duplicates_dropped == 2);
         }},
        {"ratings.csv UTF-8 BOM (accepted)",
         {{"ratings.csv", "\xEF\xBB\xBF" + R + "1,1,4,100\n"}},
         "",
         rows_are({"1,1,4,100"})},
        {"ratings.csv CRLF line ends (accepted)",
         {{"ratings.csv", "userId,movieId,rating,timestamp\r\n1,1,4,100\r\n2,3,2.5,103\r\n"}},
         "",
         rows_are({"1,1,4,100", "2,3,2.5,103"})},
        {"ratings.csv no final newline, trailing blank lines (accepted)",
         {{"ratings.csv", R + "1,1,4,100\n2,3,+2.5 , 103\n\n\r\n"}},
         "",
         rows_are({"1,1,4,100", "2,3,2.5,103"})},
        {"ratings.csv quoted fields (accepted)",
         {{"ratings.csv", R + "\"1\",\"1\",\"4\",\"100\"\n"}},
         "",
         rows_are({"1,1,4,100"})},
        // movies.csv
        {"movies.csv empty file",
         {{"movies.csv", ""}},
         "movies.csv:0: empty file; expected the header \"movieId,title,genres\""},
        {"movies.csv is a directory",
         {{"movies.csv", kMakeDir}},
         "movies.csv:0: expected a file, found a directory"},
        {"movies.csv header only",
         {{"movies.csv", M}},
         "ratings.csv:2: field 'movieId': movie 1 is not in movies.csv"},
        movies("movies.csv missing column", "1,Toy Story (1995)\n",
               "2: expected 3 fields (movieId,title,genres), found 2"),
        movies("movies.csv extra column", "1,Toy Story,1995,Comedy\n",
               "2: expected 3 fields (movieId,title,genres), found 4"),
        movies("movies.csv unterminated quote",
               "1,Toy Story (1995),Animation\n2,\"Heat, The (1995),Action\n3,Up (2009),Animation\n",
               "3: unterminated quoted field: a '\"' opened on this line is never closed"),
        movies("movies.csv unterminated quote after a multi-line title",
               "1,\"Toy\nStory\",Animation\n2,\"Heat,Action\n3,Up (2009),Animation\n",
               "4: unterminated quoted field: a '\"' opened on this line is never closed"),
        movies("title with invalid UTF-8 (latin-1 in a UTF-8 file)",
               "1,Toy Story (1995),Animation\n2,Caf\xe9 (1995),Drama\n",
               "3: field 'title': expected UTF-8 text, found the invalid byte 0xE9 at byte 4 of "
               "\"Caf\\xe9 (1995)\""),
        movies("title with a truncated UTF-8 sequence", "1,Caf\xc3,Drama\n",
               "2: field 'title': expected UTF-8 text, found the invalid byte 0xC3 at byte 4"),
        movies("title with an overlong UTF-8 form", "1,a\xc0\xaf,Drama\n",
               "2: field 'title': expected UTF-8 text, found the invalid byte 0xC0 at byte 2"),
        movies("title with a UTF-16 surrogate", "1,a\xed\xa0\x80,Drama\n",
               "2: field 'title': expected UTF-8 text, found the invalid byte 0xED at byte 2"),
        movies("genres with invalid UTF-8",
               "1,Toy Story (1995),Dr\xc3"
               "ama\n",
               "2: field 'genres': expected UTF-8 text, found the invalid byte 0xC3 at byte 3"),
        movies("movie id twice", "1,A,Drama\n2,B,Drama\n3,C,Drama\n1,D,Drama\n",
               "5: movie id 1 appears twice in the catalogue (each id once)"),
        movies("movie id negative", "-3,A,Drama\n",
               "2: field 'movieId': expected an integer in [0, 2147483647], found \"-3\""),
        movies("empty genre name", "1,A,Action||Drama\n",
               "2: empty genre name in \"Action||Drama\""),
        movies("65 genres", "1,A," + many_genres(65) + "\n",
               "2: too many genres: at most 64 are supported, found a 65th, \"g64\""),
        {"movies.csv UTF-8 titles, BOM and CRLF (accepted)",
         {{"movies.csv",
           "\xEF\xBB\xBFmovieId,title,genres\r\n1,Am\xc3\xa9lie (2001),Romance\r\n"
           "2,\"\xe5\x8d\x83, \"\"the\"\" (2001) \",Drama|Romance\r\n3,Up,\r\n"}},
         "",
         [](const Dataset& d) {
           REQUIRE(d.num_items() == 3);
           CHECK(d.item_meta.title[0] == "Am\xc3\xa9lie (2001)");
           CHECK(d.item_meta.title[1] == "\xe5\x8d\x83, \"the\" (2001) ");
           CHECK(d.item_meta.year == std::vector<int32_t>{2001, 2001, 0});
           CHECK(d.item_meta.genre_names == std::vector<std::string>{"Romance", "Drama"});
           CHECK(d.item_meta.genres == std::vector<uint64_t>{1, 3, 0});
         }},
        // users.csv
        {"users.csv empty file",
         {{"users.csv", ""}},
         "users.csv:0: empty file; expected a header \"userId,<column>,...\""},
        {"users.csv without demographic columns",
         {{"users.csv", "userId\n1\n"}},
         "users.csv:1: expected a header \"userId,<column>,...\" (at least one demographic "
         "column), found \"userId\""},
        {"users.csv column name with invalid UTF-8",
         {{"users.csv",
           "userId,\xff"
           "age\n1,2\n"}},
         "users.csv:1: field 'column name': expected UTF-8 text, found the invalid byte 0xFF"},
        users("users.csv missing column", "1,25\n",
              "2: expected 3 fields (userId,age,occupation), found 2"),
        users("users.csv extra column", "1,25,writer,x\n",
              "2: expected 3 fields (userId,age,occupation), found 4"),
        users("users.csv user listed twice", "1,25,writer\n1,30,artist\n",
              "3: user 1 is listed twice (first at line 2)"),
        users("users.csv user id negative", "-1,25,writer\n",
              "2: field 'userId': expected an integer in [0, 2147483647], found \"-1\""),
        users(
            "users.csv category with invalid UTF-8", "1,25,writer\n2,,art\xffist\n",
            "3: field 'occupation': expected UTF-8 text, found the invalid byte 0xFF at byte 4 of "
            "\"art\\xffist\""),
        {"users.csv demographics (accepted)",
         {{"users.csv", U + "1,25,\xc3\xa9"
                            "crivain\n2,,\n3,40.5,writer\n"}},
         "",
         [](const Dataset& d) {
           REQUIRE(d.user_meta.columns.size() == 2);
           const auto& age = d.user_meta.columns[0];
           CHECK(!age.categorical);
           CHECK(age.numeric[0] == 25.0f);
           CHECK(std::isnan(age.numeric[1]));
           CHECK(age.numeric[2] == 40.5f);
           const auto& job = d.user_meta.columns[1];
           CHECK(job.categorical);
           CHECK(job.categories == std::vector<std::string>{"\xc3\xa9"
                                                            "crivain",
                                                            "writer"});
           CHECK(job.code == std::vector<int32_t>{0, -1, 1});
         }},
    },
    [](const DataCase& c) { run_data_case(kBase, c); });

}  // namespace towerrec::test::hostile_movielens

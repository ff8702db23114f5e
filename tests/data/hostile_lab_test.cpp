// Hostile inputs for the two course-lab layouts (content-based: headerless numeric CSVs plus header
// files; collaborative filtering: Y/R matrices and an optional movie list): one CTest test per row.
#include "hostile_data.h"

// A named namespace, not an anonymous one: unity builds compile several case tables in one
// translation unit, and each table has its own kBase, ratings(), registered.
namespace towerrec::test::hostile_lab {

const Files kContent = {
    {"content_user_train_header.txt", "user id,rating count,rating ave,Action,Drama\n"},
    {"content_item_train_header.txt", "movie id,year,ave rating,Action,Drama\n"},
    {"content_user_train.csv", "2,22,4.0,4.0,3.5\n2,22,4.0,4.0,3.5\n3,10,3.0,2.5,3.0\n"},
    {"content_item_train.csv", "10,2003,3.9,1,0\n11,2001,3.5,0,1\n10,2003,3.9,1,0\n"},
    {"content_y_train.csv", "4.0\n3.5\n4.5\n"},
    {"content_item_vecs.csv", "10,2003,3.9,1,0\n11,2001,3.5,0,1\n"},
};

const std::string kFloat = "expected a finite number, found ";
const std::string kUserFields =
    "expected 5 fields (user id,rating count,rating ave,Action,Drama), found ";

DataCase file(std::string name, std::string file, std::string contents, std::string expected) {
  return {std::move(name), {{file, std::move(contents)}}, file + ":" + expected, {}};
}

const bool registered_content = register_rows<DataCase>(
    "hostile content lab", "[data][hostile]",
    {
        file("y empty file", "content_y_train.csv", "", "0: empty file; expected rows of numbers"),
        file("y not a number", "content_y_train.csv", "4.0\nabc\n4.5\n",
             "2: field 'y': " + kFloat + "\"abc\""),
        file("y NaN", "content_y_train.csv", "4.0\nnan\n4.5\n",
             "2: field 'y': " + kFloat + "\"nan\""),
        file("y beyond float range", "content_y_train.csv", "4.0\n1e39\n4.5\n",
             "2: field 'y': expected a finite number within float range (|x| <= 3.4e38), found "
             "\"1e39\""),
        file("y off the rating scale", "content_y_train.csv", "4.0\n7\n4.5\n",
             "2: field 'y': expected a number in [0.5, 5], found \"7\""),
        file("y extra column", "content_y_train.csv", "4.0\n3.5,1\n4.5\n",
             "2: expected 1 field (y), found 2"),
        file("y fewer rows than the user file", "content_y_train.csv", "4.0\n3.5\n",
             "0: expected 3 rows (as many as content_user_train.csv), found 2"),
        file("user train missing column", "content_user_train.csv",
             "2,22,4.0,4.0,3.5\n2,22,4.0,4.0\n3,10,3.0,2.5,3.0\n", "2: " + kUserFields + "4"),
        file("user train truncated", "content_user_train.csv",
             "2,22,4.0,4.0,3.5\n2,22,4.0,4.0,3.5\n3,10",
             "3: " + kUserFields + "2; the last line has no newline: is the file truncated?"),
        file("user train blank line", "content_user_train.csv",
             "2,22,4.0,4.0,3.5\n\n3,10,3.0,2.5,3.0\n", "2: " + kUserFields + "an empty line"),
        file("user id fractional", "content_user_train.csv",
             "2,22,4.0,4.0,3.5\n2.5,22,4.0,4.0,3.5\n3,10,3.0,2.5,3.0\n",
             "2: field 'user id': expected an integer id >= 0, found \"2.5\""),
        file("user id negative", "content_user_train.csv",
             "-2,22,4.0,4.0,3.5\n2,22,4.0,4.0,3.5\n3,10,3.0,2.5,3.0\n",
             "1: field 'user id': expected an integer id >= 0, found \"-2\""),
        file("user id above int32", "content_user_train.csv",
             "2147483648,22,4.0,4.0,3.5\n2,22,4.0,4.0,3.5\n3,10,3.0,2.5,3.0\n",
             "1: field 'user id': expected an integer id >= 0, found \"2147483648\""),
        file("user train 10 MB single line", "content_user_train.csv",
             ten_megabytes() + ",1,1,1,1\n",
             "1: field 'user id': " + kFloat + "\"" + std::string(40, '7') +
                 "\"... (10485760 bytes)"),
        file("item not in the catalogue", "content_item_train.csv",
             "10,2003,3.9,1,0\n99,2001,3.5,0,1\n10,2003,3.9,1,0\n",
             "2: field 'movie id': movie 99 is not in content_item_vecs.csv; add a row for it to "
             "content_item_vecs.csv or remove its rows"),
        file("item vecs movie id twice", "content_item_vecs.csv",
             "10,2003,3.9,1,0\n10,2001,3.5,0,1\n",
             "2: movie id 10 appears twice in the catalogue (each id once)"),
        file("header empty file", "content_user_train_header.txt", "",
             "0: empty file; expected one line of column names"),
        file("header with two lines", "content_user_train_header.txt",
             "user id,rating count,rating ave,Action,Drama\nextra\n",
             "2: expected one line of column names, found a second line"),
        file("header empty column name", "content_item_train_header.txt",
             "movie id,,ave rating,Action,Drama\n", "1: empty column name (column 2)"),
        file("header invalid UTF-8", "content_item_train_header.txt",
             "movie id,year,ave rating,Acti\xf3n,Drama\n",
             "1: field 'column name': expected UTF-8 text, found the invalid byte 0xF3 at byte 5"),
        file("header is a directory", "content_user_train_header.txt", kMakeDir,
             "0: expected a file, found a directory"),
        {"repeated rows, CRLF and float ids (accepted)",
         {{"content_user_train.csv", "2.0,22,4.0,4.0,3.5\r\n2,22,4.0,4.0,3.5\r\n2,22,4,4,3.5\r\n"},
          {"content_y_train.csv", "4.0\r\n3.5\r\n4.5\r\n"}},
         "",
         [](const Dataset& d) {
           CHECK(loaded_rows(d) ==
                 std::vector<std::string>{"2,10,4,0", "2,11,3.5,0", "2,10,4.5,0"});
           CHECK(d.duplicates_dropped == 0);
         }},
    },
    [](const DataCase& c) { run_data_case(kContent, c); });

const Files kCf = {
    {"small_movies_Y.csv", "5,0,3\n0,4,0\n"},
    {"small_movies_R.csv", "1,0,1\n0,1,0\n"},
    {"small_movie_list.csv",
     ",mean rating,number of ratings,title\n0,4.0,2,Movie A (2001)\n"
     "1,4.0,1,\"Movie B, The\"\n"},
};

const std::string kList = ",mean rating,number of ratings,title\n";

const bool registered_cf = register_rows<DataCase>(
    "hostile cf lab", "[data][hostile]",
    {
        file("Y empty file", "small_movies_Y.csv", "", "0: empty file; expected rows of numbers"),
        file("Y ragged row", "small_movies_Y.csv", "5,0,3\n0,4\n", "2: expected 3 fields, found 2"),
        file("Y not a number", "small_movies_Y.csv", "5,x,3\n0,4,0\n",
             "1: field 'column 2': " + kFloat + "\"x\""),
        file("Y infinite", "small_movies_Y.csv", "inf,0,3\n0,4,0\n",
             "1: field 'column 1': " + kFloat + "\"inf\""),
        file("Y rated cell off the scale", "small_movies_Y.csv", "6,0,3\n0,4,0\n",
             "1: field 'column 1': expected a number in [0.5, 5] where small_movies_R.csv is 1, "
             "found \"6\""),
        file("Y is a directory", "small_movies_Y.csv", kMakeDir,
             "0: expected a file, found a directory"),
        file("R not 0 or 1", "small_movies_R.csv", "1,2,1\n0,1,0\n",
             "1: field 'column 2': expected 0 or 1, found \"2\""),
        file("R shape differs from Y", "small_movies_R.csv", "1,0,1\n",
             "0: expected a 2 x 3 matrix (the shape of small_movies_Y.csv), found 1 x 3"),
        file("R all zero", "small_movies_R.csv", "0,0,0\n0,0,0\n",
             "0: no ratings: every cell is 0"),
        file("R truncated", "small_movies_R.csv", "1,0,1\n0,1",
             "2: expected 3 fields, found 2; the last line has no newline: is the file truncated?"),
        file("movie list wrong header", "small_movie_list.csv", "index,mean,count,title\n",
             "1: expected the header \",mean rating,number of ratings,title\", found "
             "\"index,mean,count,title\""),
        file("movie list too few movies", "small_movie_list.csv", kList + "0,4.0,2,A\n",
             "0: expected 2 movies (the rows of small_movies_Y.csv), found 1"),
        file("movie list index out of order", "small_movie_list.csv", kList + "0,4,2,A\n5,4,1,B\n",
             "3: field 'index': expected an integer in [1, 1], found \"5\""),
        file("movie list unterminated quote", "small_movie_list.csv",
             kList + "0,4.0,2,\"Movie A\n1,4.0,1,B\n",
             "2: unterminated quoted field: a '\"' opened on this line is never closed"),
        file("movie list invalid UTF-8 title", "small_movie_list.csv",
             kList + "0,4,2,A\n1,4,1,\xe9t\xe9\n",
             "3: field 'title': expected UTF-8 text, found the invalid byte 0xE9 at byte 1"),
        {"CRLF, BOM and quoted titles (accepted)",
         {{"small_movies_Y.csv",
           "\xEF\xBB\xBF"
           "5,0,3\r\n0,4,0\r\n"}},
         "",
         [](const Dataset& d) {
           CHECK(loaded_rows(d) == std::vector<std::string>{"0,0,5,0", "2,0,3,0", "1,1,4,0"});
           CHECK(d.item_meta.title == std::vector<std::string>{"Movie A (2001)", "Movie B, The"});
           CHECK(d.item_meta.year == std::vector<int32_t>{2001, 0});
         }},
    },
    [](const DataCase& c) { run_data_case(kCf, c); });

}  // namespace towerrec::test::hostile_lab

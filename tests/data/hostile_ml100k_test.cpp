// Hostile inputs for the MovieLens 100K layout (u.data tab-separated; u.item, u.genre, u.user
// '|'-separated, ISO-8859-1): one CTest test per row.
#include <cmath>

#include "hostile_data.h"

// A named namespace, not an anonymous one: unity builds compile several case tables in one
// translation unit, and each table has its own kBase, ratings(), registered.
namespace towerrec::test::hostile_ml100k {

const std::string kFlags = "0|0|0|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0";  // Animation, Children's

std::string item(const std::string& id, const std::string& title,
                 const std::string& date = "01-Jan-1995", const std::string& flags = kFlags) {
  return id + "|" + title + "|" + date + "||http://x|" + flags + "\n";
}

const Files kBase = {
    {"u.item", item("1", "Toy Story (1995)") + item("2", "GoldenEye (1995)") +
                   item("3", "Four Rooms (1995)")},
    {"u.data", "1\t1\t4\t881250949\n1\t2\t3\t881250950\n2\t1\t5\t881250951\n"},
    {"u.user", "1|24|M|technician|85711\n2|53|F|other|94043\n"},
};

const std::string kFields =
    "expected 4 fields (user id<tab>item id<tab>rating<tab>timestamp), found ";
const std::string kItemFields =
    "expected 24 fields (movie id|movie title|release date|video release date|IMDb URL|19 genre "
    "flags), found ";
const std::string kRating = "field 'rating': expected a number in [0.5, 5], found ";

DataCase data(std::string name, std::string rows, std::string expected) {
  return {std::move(name), {{"u.data", std::move(rows)}}, "u.data:" + expected, {}};
}
DataCase items(std::string name, std::string rows, std::string expected) {
  return {std::move(name), {{"u.item", std::move(rows)}}, "u.item:" + expected, {}};
}
DataCase users(std::string name, std::string rows, std::string expected) {
  return {std::move(name), {{"u.user", std::move(rows)}}, "u.user:" + expected, {}};
}

const bool registered = register_rows<DataCase>(
    "hostile ml100k", "[data][hostile]",
    {
        data("u.data empty file", "",
             "0: empty file; expected ratings (user id<tab>item id<tab>rating<tab>timestamp)"),
        data("u.data blank lines only", "\n\n",
             "0: no ratings: expected rows of user id<tab>item id<tab>rating<tab>timestamp"),
        data("u.data missing column", "1\t1\t4\n", "1: " + kFields + "3"),
        data("u.data extra column", "1\t1\t4\t5\t6\n", "1: " + kFields + "5"),
        data("u.data commas instead of tabs", "1,1,4,881250949\n", "1: " + kFields + "1"),
        data("u.data rating not a number", "1\t1\tfour\t1\n", "1: " + kRating + "\"four\""),
        data("u.data rating NaN", "1\t1\tnan\t1\n", "1: " + kRating + "\"nan\""),
        data("u.data rating infinite", "1\t1\t-inf\t1\n", "1: " + kRating + "\"-inf\""),
        data("u.data rating off the scale", "1\t1\t6\t1\n", "1: " + kRating + "\"6\""),
        data("u.data user id negative", "-7\t1\t4\t1\n",
             "1: field 'user id': expected an integer in [0, 2147483647], found \"-7\""),
        data("u.data item id huge", "1\t4294967296\t4\t1\n",
             "1: field 'item id': expected an integer in [0, 2147483647], found \"4294967296\""),
        data("u.data item not in u.item", "1\t99\t4\t1\n",
             "1: field 'item id': movie 99 is not in u.item; add a row for it to u.item or remove "
             "its ratings"),
        data("u.data truncated", "1\t1\t4\t881250949\n2\t1\t",
             "2: " + kFields + "3; the last line has no newline: is the file truncated?"),
        data("u.data 10 MB single line", "1\t1\t" + ten_megabytes() + "\t1\n",
             "1: " + kRating + "\"" + std::string(40, '7') + "\"... (10485760 bytes)"),
        {"u.data is a directory",
         {{"u.data", kMakeDir}},
         "u.data:0: expected a file, found a directory"},
        {"u.data CRLF, BOM and duplicates (accepted)",
         {{"u.data",
           "\xEF\xBB\xBF"
           "1\t1\t4\t10\r\n1\t2\t3\t11\r\n1\t1\t2\t12\r\n"}},
         "",
         [](const Dataset& d) {
           CHECK(loaded_rows(d) == std::vector<std::string>{"1,2,3,11", "1,1,2,12"});
           CHECK(d.duplicates_dropped == 1);
         }},
        items("u.item empty file", "", "0: empty file; expected movies (24 '|'-separated fields)"),
        items("u.item missing column", "1|Toy Story (1995)|01-Jan-1995||http://x|0|0\n",
              "1: " + kItemFields + "7"),
        items("u.item genre flag not 0 or 1",
              item("1", "A", "01-Jan-1995", "0|0|0|1|2|0|0|0|0|0|0|0|0|0|0|0|0|0|0"),
              "1: field 'genre flag': expected an integer in [0, 1], found \"2\""),
        items("u.item release date malformed", item("1", "A", "1995-01-01"),
              "1: field 'release date': expected a date like \"01-Jan-1995\" or nothing, found "
              "\"1995-01-01\""),
        items("u.item movie id twice", item("1", "A") + item("1", "B"),
              "2: movie id 1 appears twice in the catalogue (each id once)"),
        items("u.item movie id not a number", item("x1", "A"),
              "1: field 'movie id': expected an integer in [0, 2147483647], found \"x1\""),
        {"u.item is a directory",
         {{"u.item", kMakeDir}},
         "u.item:0: expected a file, found a directory"},
        {"u.item ISO-8859-1 titles are converted (accepted)",
         {{"u.item", item("1", "Am\xe9lie (2001)", "01-Jan-2001") + item("2", "Nikita", "") +
                         item("3", "C")}},
         "",
         [](const Dataset& d) {
           CHECK(d.item_meta.title ==
                 std::vector<std::string>{"Am\xc3\xa9lie (2001)", "Nikita", "C"});
           CHECK(d.item_meta.year == std::vector<int32_t>{2001, 0, 1995});
           CHECK(d.item_meta.genres[0] == ((uint64_t{1} << 3) | (uint64_t{1} << 4)));
         }},
        {"u.genre wrong count",
         {{"u.genre", "unknown|0\nAction|1\n"}},
         "u.genre:0: expected 19 genres (u.item has 19 genre flags), found 2"},
        {"u.genre index out of order",
         {{"u.genre", "unknown|5\n"}},
         "u.genre:1: field 'index': expected an integer in [0, 0], found \"5\""},
        {"u.genre empty file",
         {{"u.genre", ""}},
         "u.genre:0: empty file; expected 19 lines \"name|index\""},
        users("u.user empty file", "",
              "0: empty file; expected users (user id|age|gender|occupation|zip code)"),
        users("u.user missing column", "1|24|M|technician\n",
              "1: expected 5 fields (user id|age|gender|occupation|zip code), found 4"),
        users("u.user age not a number", "1|old|M|technician|85711\n",
              "1: field 'age': expected a finite number, found \"old\""),
        users("u.user age NaN", "1|nan|M|technician|85711\n",
              "1: field 'age': expected a finite number, found \"nan\""),
        users("u.user user twice", "1|24|M|technician|85711\n1|25|M|writer|85711\n",
              "2: user 1 is listed twice (first at line 1)"),
        {"u.user ISO-8859-1 categories are converted (accepted)",
         {{"u.user",
           "1|24|M|r\xe9"
           "alisateur|85711\n2||F|other|94043\n"}},
         "",
         [](const Dataset& d) {
           REQUIRE(d.user_meta.columns.size() == 3);
           CHECK(d.user_meta.columns[0].numeric[0] == 24.0f);
           CHECK(std::isnan(d.user_meta.columns[0].numeric[1]));
           CHECK(d.user_meta.columns[2].categories == std::vector<std::string>{"r\xc3\xa9"
                                                                               "alisateur",
                                                                               "other"});
         }},
    },
    [](const DataCase& c) { run_data_case(kBase, c); });

}  // namespace towerrec::test::hostile_ml100k

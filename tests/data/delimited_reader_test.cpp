#include "data/delimited_reader.h"

#include <catch2/catch.hpp>

#include "core/error.h"

using namespace towerrec;

namespace {

std::vector<std::vector<std::string>> records(const std::string& text, const std::string& sep = ",",
                                              bool quotes = true) {
  DelimitedReader r("f.csv", text, sep, quotes);
  std::vector<std::vector<std::string>> out;
  while (r.next()) {
    std::vector<std::string> rec;
    for (size_t i = 0; i < r.size(); ++i) rec.emplace_back(r[i]);
    out.push_back(rec);
  }
  return out;
}

std::string delimited_error(const std::string& text, size_t fields = 0) {
  try {
    DelimitedReader r("f.csv", text, ",", true);
    while (r.next()) {
      if (fields) r.expect_fields(fields, "a,b,c");
    }
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

using Recs = std::vector<std::vector<std::string>>;

}  // namespace

TEST_CASE("reader: plain records, CRLF, BOM and a missing final newline", "[data]") {
  CHECK(records("a,b\n1,2\n") == Recs{{"a", "b"}, {"1", "2"}});
  CHECK(records("a,b\r\n1,2\r\n") == Recs{{"a", "b"}, {"1", "2"}});
  CHECK(records("\xEF\xBB\xBF"
                "a,b\n1,2") == Recs{{"a", "b"}, {"1", "2"}});
  CHECK(records("a,,\n") == Recs{{"a", "", ""}});
  CHECK(records("") == Recs{});
}

TEST_CASE("reader: quoted fields with separators, doubled quotes and newlines", "[data]") {
  CHECK(records("1,\"American President, The (1995)\",Comedy\n") ==
        Recs{{"1", "American President, The (1995)", "Comedy"}});
  CHECK(records("1,\"Say \"\"Hi\"\"\",x\r\n2,y,z") ==
        Recs{{"1", "Say \"Hi\"", "x"}, {"2", "y", "z"}});
  CHECK(records("\"\",\"a\"\n") == Recs{{"", "a"}});
  CHECK(records("1,\"two\nlines\",x\n2,y,z\n") == Recs{{"1", "two\nlines", "x"}, {"2", "y", "z"}});
  // Without quoting a quote is an ordinary byte.
  CHECK(records("1|\"x|y\n", "|", false) == Recs{{"1", "\"x", "y"}});
}

TEST_CASE("reader: multi-byte separators and line numbers", "[data]") {
  CHECK(records("1::Toy Story (1995)::Animation|Comedy\n", "::", false) ==
        Recs{{"1", "Toy Story (1995)", "Animation|Comedy"}});
  DelimitedReader r("f.csv", "a\n\"b\nc\"\nd\n", ",", true);
  REQUIRE(r.next());
  CHECK(r.line() == 1);
  REQUIRE(r.next());
  CHECK(r.line() == 2);
  REQUIRE(r.next());
  CHECK(r.line() == 4);
  CHECK(r[0] == "d");
  CHECK_FALSE(r.next());
}

TEST_CASE("reader: trailing blank lines end the file, inner ones are errors", "[data]") {
  CHECK(records("a,b\n\n\r\n") == Recs{{"a", "b"}});
  CHECK(delimited_error("a,b,c\n\n1,2,3\n", 3) ==
        "f.csv:2: expected 3 fields (a,b,c), found an empty line");
}

TEST_CASE("reader: unterminated quotes, stray text and truncated last lines", "[data]") {
  CHECK(delimited_error("a,b\n1,\"open,2\n3,4\n") ==
        "f.csv:2: unterminated quoted field: a '\"' opened on this line is never closed");
  CHECK(delimited_error("1,\"x\"y,2\n") ==
        "f.csv:1: expected a separator or a line end after a closing quote, found \"y,2\\x0a\"");
  CHECK(delimited_error("a,b,c\n1,2,3\n4,5", 3) ==
        "f.csv:3: expected 3 fields (a,b,c), found 2; the last line has no newline: is the file "
        "truncated?");
  CHECK(delimited_error("a,b,c\n1,2,3,4\n", 3) == "f.csv:2: expected 3 fields (a,b,c), found 4");
  CHECK(delimited_error("a,b,c\n1,2,3", 3) == "(no error)");
}

TEST_CASE("reader: field accessors name the field, the range and the value", "[data]") {
  DelimitedReader r("f.csv", "h\nabc,-3,nan,inf,7\n", ",", true);
  r.next();
  r.next();
  auto msg = [](auto&& f) {
    try {
      f();
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  CHECK(msg([&] { r.number_in(0, "rating", 0.5, 5); }) ==
        "f.csv:2: field 'rating': expected a number in [0.5, 5], found \"abc\"");
  CHECK(msg([&] { r.integer(1, "userId", 0, 2147483647); }) ==
        "f.csv:2: field 'userId': expected an integer in [0, 2147483647], found \"-3\"");
  CHECK(msg([&] { r.number(2, "x"); }) ==
        "f.csv:2: field 'x': expected a finite number, found \"nan\"");
  CHECK(msg([&] { r.number(3, "x"); }) ==
        "f.csv:2: field 'x': expected a finite number, found \"inf\"");
  CHECK(r.number_in(4, "rating", 0, 10) == 7);
  CHECK(DelimitedReader::count_lines("a\nb\nc") == 3);
  CHECK(DelimitedReader::count_lines("a\nb\n") == 2);
}

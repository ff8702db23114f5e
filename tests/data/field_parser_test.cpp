#include "data/field_parser.h"

#include <catch2/catch.hpp>

using namespace towerrec;

TEST_CASE("field parser: integers", "[data]") {
  int64_t v = 0;
  CHECK(parse_int64("42", &v));
  CHECK(v == 42);
  CHECK(parse_int64(" -7 ", &v));
  CHECK(v == -7);
  CHECK(parse_int64("+5", &v));
  CHECK(v == 5);
  CHECK_FALSE(parse_int64("", &v));
  CHECK_FALSE(parse_int64("4.0", &v));
  CHECK_FALSE(parse_int64("12a", &v));
  CHECK_FALSE(parse_int64("99999999999999999999", &v));
  CHECK_FALSE(parse_int64("+", &v));
  CHECK_FALSE(parse_int64("+-5", &v));  // found by fuzz/delimited_reader_fuzz.cpp
}

TEST_CASE("field parser: reals reject NaN, infinities and junk", "[data]") {
  double v = 0;
  CHECK(parse_double("4.5", &v));
  CHECK(v == 4.5);
  CHECK(parse_double("1e3", &v));
  CHECK(v == 1000);
  CHECK(parse_double("3", &v));
  CHECK(parse_double("-0.25", &v));
  CHECK(v == -0.25);
  CHECK_FALSE(parse_double("nan", &v));
  CHECK_FALSE(parse_double("NaN", &v));
  CHECK_FALSE(parse_double("inf", &v));
  CHECK_FALSE(parse_double("-infinity", &v));
  CHECK_FALSE(parse_double("1e999", &v));
  CHECK_FALSE(parse_double("4,5", &v));
  CHECK_FALSE(parse_double("", &v));
  CHECK_FALSE(parse_double("abc", &v));
}

TEST_CASE("field parser: floats must be finite after narrowing", "[data]") {
  float v = 0;
  CHECK(parse_float("3.5", &v));
  CHECK(v == 3.5f);
  CHECK(parse_float("-3.4e38", &v));
  CHECK(v == -3.4e38f);
  CHECK_FALSE(parse_float("1e39", &v));  // a finite double, but infinity as a float
  CHECK_FALSE(parse_float("-1e39", &v));
  CHECK_FALSE(parse_float("+-1", &v));
  CHECK_FALSE(parse_float("nan", &v));
}

TEST_CASE("field parser: numbers in messages", "[data]") {
  CHECK(format_number(5) == "5");
  CHECK(format_number(0.5) == "0.5");
  CHECK(format_number(2147483647) == "2147483647");
  CHECK(format_number(3.25) == "3.25");
}

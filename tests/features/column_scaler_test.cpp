#include "features/column_scaler.h"

#include <cmath>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "features/target_scaler.h"

using namespace towerrec;

namespace {

FeatureMatrix matrix(std::vector<std::string> names, std::vector<float> data) {
  FeatureMatrix m;
  m.names = std::move(names);
  m.rows = static_cast<int64_t>(data.size()) / m.cols();
  m.data = std::move(data);
  return m;
}

std::string scaler_error(const nlohmann::json& j) {
  try {
    ColumnScaler::from_json(j);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("column scaler: population sd, constant columns, chosen rows", "[features]") {
  FeatureMatrix m = matrix({"a", "b"}, {1, 7, 3, 7, 5, 7, 100, 0});
  ColumnScaler s;
  s.fit(m, {0, 1, 2});  // row 3 is not looked at
  CHECK(s.mean == std::vector<float>{3, 7});
  CHECK(s.scale[0] == Approx(std::sqrt(8.0 / 3)));
  CHECK(s.scale[1] == 1.f);
  s.apply(m);
  CHECK(m.row(0)[0] == Approx(-2 / std::sqrt(8.0 / 3)));
  CHECK(m.row(1)[0] == Approx(0));
  CHECK(m.row(3)[1] == Approx(-7));
  ColumnScaler all;
  all.fit(matrix({"a"}, {2, 4}));
  CHECK(all.mean == std::vector<float>{3});
  CHECK(all.scale == std::vector<float>{1});
  CHECK_THROWS_WITH(all.fit(m, {}),
                    "column scaler: expected at least one row to fit on, found none");
}

TEST_CASE("column scaler: year-sized values keep their precision", "[features]") {
  ColumnScaler s;
  s.fit(matrix({"year"}, {1999, 2001, 1999, 2001}));
  CHECK(s.mean[0] == 2000.f);
  CHECK(s.scale[0] == Approx(1.0));
}

TEST_CASE("column scaler: JSON round trip and errors", "[features]") {
  ColumnScaler s;
  s.mean = {1.5f, -2.f};
  s.scale = {0.25f, 3.f};
  const ColumnScaler t = ColumnScaler::from_json(nlohmann::json::parse(s.to_json().dump()));
  CHECK(t.mean == s.mean);
  CHECK(t.scale == s.scale);
  CHECK(scaler_error({{"mean", {1}}}) ==
        "column scaler: key 'scale': expected an array of numbers, found no such key");
  CHECK(scaler_error({{"mean", {1}}, {"scale", "x"}}) ==
        "column scaler: key 'scale': expected an array of numbers, found \"\\\"x\\\"\"");
  CHECK(scaler_error({{"mean", {1, 2}}, {"scale", {1}}}) ==
        "column scaler: expected 'mean' and 'scale' of equal length, found 2 and 1");
  CHECK(scaler_error({{"mean", {1}}, {"scale", {0}}}) ==
        "column scaler: key 'scale': expected numbers > 0, found 0.000000");
}

TEST_CASE("target scaler: maps [min, max] to [-1, 1] and round-trips JSON", "[features]") {
  TargetScaler t;
  t.min = 1;
  t.max = 5;
  CHECK(t.scale(1) == Approx(-1));
  CHECK(t.scale(3) == Approx(0));
  CHECK(t.unscale(1) == Approx(5));
  CHECK(t.unscale(t.scale(4.5f)) == Approx(4.5));
  const TargetScaler u = TargetScaler::from_json(t.to_json());
  CHECK(u.min == 1);
  CHECK(u.max == 5);
  CHECK_THROWS_WITH(TargetScaler::from_json({{"min", 5}, {"max", 5}}),
                    "target scaler: expected min < max, found min 5, max 5");
  CHECK_THROWS_WITH(TargetScaler::from_json({{"min", 1}}),
                    "target scaler: key 'max': expected a finite number, found no such key");
}

#include "serve/exported_towers.h"

#include <cmath>
#include <filesystem>
#include <limits>

#include <ATen/ops/zeros.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/serialization/import.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "serve/torchscript_export.h"
#include "test_util.h"
#include "towers_fixture.h"

using namespace towerrec;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using nlohmann::json;
using towerrec::test::TempDir;
namespace fs = std::filesystem;

namespace {

// One export shared by the cases below (each copies what it breaks into its own directory).
struct Exported {
  TempDir dir;
  test::TowersFixture fx = test::make_towers_fixture(40);
  Exported() { export_towers(fx.model, fx.stats, {"/runs/x", "x", 1}, dir.path()); }
  std::string copy_to(const TempDir& to) const {
    const std::string out = to.file("towers");
    fs::create_directories(out);
    for (const char* f : {"user_tower.pt", "item_tower.pt", "towers.json"})
      fs::copy_file(dir.file(f), out + "/" + f);
    return out;
  }
};

std::string expected_user(const std::string& dir) {
  return dir +
         "/user_tower.pt: byte 0: expected a TorchScript module (the user tower written by "
         "`towerrec export`), but it cannot be loaded (truncated or not a TorchScript file): ";
}

}  // namespace

TEST_CASE("exported towers: a truncated or foreign .pt is a clear error", "[serve]") {
  const Exported e;
  TempDir t;
  const std::string dir = e.copy_to(t);
  const std::string user = dir + "/user_tower.pt";

  SECTION("truncated") {
    const std::string bytes = read_file(user);
    write_file_atomic(user, bytes.substr(0, bytes.size() / 2));
    CHECK_THROWS_AS(ExportedTowers::load(dir), FormatError);
    CHECK_THROWS_WITH(ExportedTowers::load(dir), StartsWith(expected_user(dir)));
  }
  SECTION("a text file renamed .pt") {
    write_file_atomic(user, "user_id,age\n1,23\n");
    CHECK_THROWS_WITH(ExportedTowers::load(dir), StartsWith(expected_user(dir)));
  }
  SECTION("the item tower in the user tower's place") {
    fs::copy_file(e.dir.file("item_tower.pt"), user, fs::copy_options::overwrite_existing);
    CHECK_THROWS_WITH(ExportedTowers::load(dir),
                      user + ": byte 0: expected the user tower, found the item tower");
  }
  SECTION("a TorchScript module that is not a tower") {
    torch::jit::Module m(c10::QualifiedName("__torch__.other"));
    m.define("def forward(self, x: Tensor) -> Tensor:\n    return x\n");
    m.save(user);
    CHECK_THROWS_WITH(ExportedTowers::load(dir),
                      user +
                          ": byte 0: expected a TorchScript module (the user tower written by "
                          "`towerrec export`), found a TorchScript module without the string "
                          "attribute 'tower'");
  }
  SECTION("missing") {
    fs::remove(dir + "/item_tower.pt");
    CHECK_THROWS_AS(ExportedTowers::load(dir), IoError);
    CHECK_THROWS_WITH(ExportedTowers::load(dir),
                      "cannot read " + dir +
                          "/item_tower.pt: no such file (expected the item tower "
                          "written by `towerrec export`)");
  }
}

TEST_CASE("exported towers: towers.json missing, malformed or disagreeing with the modules",
          "[serve]") {
  const Exported e;
  TempDir t;
  const std::string dir = e.copy_to(t);
  const std::string path = dir + "/towers.json";
  const json good = json::parse(read_file(path));
  const auto write = [&](const json& j) { write_file_atomic(path, j.dump()); };

  SECTION("missing") {
    fs::remove(path);
    CHECK_THROWS_WITH(ExportedTowers::load(dir),
                      "cannot read " + path +
                          ": no such file (expected a directory written by "
                          "`towerrec export`)");
  }
  SECTION("not JSON") {
    write_file_atomic(path, "{\"format\": ");
    CHECK_THROWS_AS(ExportedTowers::load(dir), InputError);
    CHECK_THROWS_WITH(ExportedTowers::load(dir),
                      StartsWith(path + ":1: expected JSON written by `towerrec export`, found a "
                                        "parse error: "));
  }
  SECTION("foreign JSON") {
    write(json{{"hello", 1}});
    CHECK_THROWS_WITH(ExportedTowers::load(dir),
                      path + ":0: format: expected \"towerrec-towers\", found no such key");
  }
  SECTION("bad dim") {
    json j = good;
    j["dim"] = "six";
    write(j);
    CHECK_THROWS_WITH(ExportedTowers::load(dir),
                      path + ":0: dim: expected an integer >= 1, found \"\\\"six\\\"\"");
  }
  SECTION("bad target") {
    json j = good;
    j["target"] = {{"min", 5}, {"max", 1}};
    write(j);
    CHECK_THROWS_WITH(ExportedTowers::load(dir),
                      path + ":0: target: target scaler: expected min < max, found min 5, max 1");
  }
  SECTION("a feature count the module does not take") {
    json j = good;
    j["user_features"].erase(4);
    write(j);
    CHECK_THROWS_AS(ExportedTowers::load(dir), FormatError);
    CHECK_THROWS_WITH(ExportedTowers::load(dir),
                      dir +
                          "/user_tower.pt: byte 0: the module takes 5 user features, towers.json "
                          "lists 4 (files from different exports?)");
  }
  SECTION("a dim the module does not output") {
    json j = good;
    j["dim"] = 8;
    write(j);
    CHECK_THROWS_WITH(ExportedTowers::load(dir),
                      dir +
                          "/user_tower.pt: byte 0: the module outputs dim 6, towers.json says 8 "
                          "(files from different exports?)");
  }
}

TEST_CASE("exported towers: inputs of the wrong width or with NaN are refused", "[serve]") {
  const Exported e;
  const ExportedTowers towers = ExportedTowers::load(e.dir.path());
  const std::vector<float> rows(3 * 7, 1.f);
  CHECK_THROWS_WITH(towers.embed_users(rows.data(), 3, 7),
                    e.dir.file("user_tower.pt") +
                        ": the user tower expects 5 raw feature columns "
                        "(towers.json user_features), found 7");
  CHECK_THROWS_WITH(towers.embed_items(rows.data(), 4, 5),
                    e.dir.file("item_tower.pt") +
                        ": the item tower expects 7 raw feature columns "
                        "(towers.json item_features), found 5");
  std::vector<float> nan_rows = rows;
  nan_rows[7 + 2] = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH(towers.embed_items(nan_rows.data(), 3, 7),
                    "item tower: row 1, feature 'item.f2': expected a finite number, found nan "
                    "(impute missing values as towers.json 'imputed' says)");

  // The module itself fails on a wrong width (at the first broadcast), for callers that load it
  // directly (Python); n_features tells them the width.
  torch::jit::Module m = torch::jit::load(e.dir.file("user_tower.pt"));
  CHECK(m.attr("n_features").toInt() == 5);
  CHECK(m.attr("dim").toInt() == 6);
  CHECK(m.attr("tower").toStringRef() == "user");
  CHECK_THROWS_WITH(m.forward({at::zeros({2, 4})}),
                    Contains("must match the size of tensor b (5)"));
}

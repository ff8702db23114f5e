// Hostile exported-tower directories (towers.json + user_tower.pt + item_tower.pt): one section
// per row, each the exact error of ExportedTowers::load ("towers.json:line: ..." for the JSON,
// "<tower>.pt: byte 0: ..." for a module that is not one).
#include <string>

#include "hostile_case.h"
#include "serve/exported_towers.h"

// A named namespace, not an anonymous one: unity builds compile several case tables in one
// translation unit, and each table has its own kBase, ratings(), registered.
namespace towerrec::test::hostile_towers {

const std::string kJson =
    "{\n  \"format\": \"towerrec-towers\",\n  \"version\": 1,\n  \"dim\": 2,\n"
    "  \"user_features\": [\"a\", \"b\"],\n  \"item_features\": [\"c\"],\n"
    "  \"target\": {\"min\": 0.5, \"max\": 5},\n"
    "  \"user_tower\": \"user_tower.pt\",\n  \"item_tower\": \"item_tower.pt\"\n}\n";

std::string json_with(const std::string& from, const std::string& to) {
  std::string j = kJson;
  j.replace(j.find(from), from.size(), to);
  return j;
}

struct TowersCase {
  std::string name;
  std::vector<std::pair<std::string, std::string>> files;  // over towers.json + two garbage .pt
  std::string expected;
};

TowersCase json_case(std::string name, std::string json, std::string expected) {
  return {std::move(name), {{"towers.json", std::move(json)}}, "towers.json:" + expected};
}

const std::string kCannotLoad =
    ": byte 0: expected a TorchScript module (the user tower written by `towerrec export`), but "
    "it cannot be loaded (truncated or not a TorchScript file): ";

const bool registered = register_sections<TowersCase>(
    "hostile towers: corrupt export directories, one section per case", "[serve][hostile]",
    {
        json_case("towers.json empty file", "",
                  "1: expected JSON written by `towerrec export`, found a parse error: "
                  "[json.exception.parse_error.101] parse error at line 1, column 1"),
        json_case("towers.json truncated", kJson.substr(0, 60),
                  "4: expected JSON written by `towerrec export`, found a parse error: "),
        json_case("towers.json syntax error on line 4", json_with("\"dim\": 2", "\"dim\": 2,,"),
                  "4: expected JSON written by `towerrec export`, found a parse error: "),
        json_case("towers.json invalid UTF-8", json_with("\"a\"", "\"\xff\""),
                  "5: expected JSON written by `towerrec export`, found a parse error: "),
        json_case("towers.json of another format", json_with("towerrec-towers", "x"),
                  "0: format: expected \"towerrec-towers\", found \"\\\"x\\\"\""),
        json_case("towers.json other version", json_with("\"version\": 1", "\"version\": 2"),
                  "0: version: expected 1, found \"2\""),
        json_case("dim of the wrong type", json_with("\"dim\": 2", "\"dim\": \"2\""),
                  "0: dim: expected an integer >= 1, found \"\\\"2\\\"\""),
        json_case("dim negative", json_with("\"dim\": 2", "\"dim\": -2"),
                  "0: dim: expected an integer >= 1, found \"-2\""),
        json_case("feature list empty", json_with("[\"a\", \"b\"]", "[]"),
                  "0: user_features: expected a non-empty list of feature names, found \"[]\""),
        json_case("feature name not a string", json_with("[\"c\"]", "[\"c\", 7]"),
                  "0: item_features: expected strings, found \"7\""),
        json_case("target upside down",
                  json_with("\"min\": 0.5, \"max\": 5", "\"min\": 5, \"max\": 1"),
                  "0: target: target scaler: expected min < max, found min 5, max 1"),
        json_case("tower file name missing", json_with("\"user_tower\": \"user_tower.pt\",", ""),
                  "0: user_tower: expected a file name, found no such key"),
        {"towers.json is a directory",
         {{"towers.json", kMakeDir}},
         "cannot read {dir}/towers.json: it is a directory, expected a file (expected a directory "
         "written by `towerrec export`)"},
        {"user_tower.pt zero-length", {{"user_tower.pt", ""}}, "user_tower.pt" + kCannotLoad},
        {"user_tower.pt not a TorchScript file",
         {{"user_tower.pt", "hello, I am not a module\n"}},
         "user_tower.pt" + kCannotLoad},
        {"user_tower.pt truncated zip",
         {{"user_tower.pt", "PK\x03\x04\x14\x00\x00\x00"}},
         "user_tower.pt" + kCannotLoad},
        {"user_tower.pt 10 MB of garbage",
         {{"user_tower.pt", ten_megabytes('\x01')}},
         "user_tower.pt" + kCannotLoad},
        {"user_tower.pt is a directory",
         {{"user_tower.pt", kMakeDir}},
         "cannot read {dir}/user_tower.pt: it is a directory (expected the user tower written by "
         "`towerrec export`)"},
        {"user_tower.pt missing",
         {{"user_tower.pt", kRemove}},
         "cannot read {dir}/user_tower.pt: no such file (expected the user tower written by "
         "`towerrec export`)"},
    },
    [](const TowersCase& c) {
      TempDir dir;
      write_case_files(dir, {{"towers.json", kJson},
                             {"user_tower.pt", "not a module"},
                             {"item_tower.pt", "not a module"}});
      write_case_files(dir, c.files);
      check_message(error_of([&] { ExportedTowers::load(dir.path()); }), dir.path(), c.expected);
    });

}  // namespace towerrec::test::hostile_towers

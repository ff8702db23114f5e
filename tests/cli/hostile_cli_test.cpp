// The hostile-input corpus through the real binary, one representative case per reader (the
// tables in tests/{data,config,core,model,serve}/hostile_*_test.cpp cover every case at library
// level): exit code, the "file:line: ..." / "file: byte N: ..." message on stderr, and the output
// directory left exactly as it was (an existing one unchanged, a missing one not created).
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "hostile_case.h"

using towerrec::test::run_cli;
using towerrec::test::snapshot;
using towerrec::test::TempDir;

namespace fs = std::filesystem;

namespace {

// A valid MovieLens directory: 6 users x 3 movies.
void write_good_data(const TempDir& dir, const std::string& sub) {
  dir.write(sub + "/movies.csv",
            "movieId,title,genres\n1,A (1995),Drama\n2,B (1996),Comedy\n3,C (1997),Drama|Comedy\n");
  std::string r = "userId,movieId,rating,timestamp\n";
  for (int u = 1; u <= 6; ++u)
    for (int i = 1; i <= 3; ++i)
      r += std::to_string(u) + "," + std::to_string(i) + "," + std::to_string(1 + (u + i) % 5) +
           "," + std::to_string(100 * u + i) + "\n";
  dir.write(sub + "/ratings.csv", r);
}

std::string config_for(const TempDir& dir, const std::string& data_sub,
                       const std::string& extra = "") {
  return dir.write("c.yaml", "name: h\ndata:\n  dir: " + dir.file(data_sub) + "\n" + extra +
                                 "model:\n  user_hidden: [4]\n  item_hidden: [4]\n  dim: 2\n"
                                 "train:\n  epochs: 1\n");
}

// A run directory as `towerrec train` leaves it, but with `ckpt` as its checkpoint: no training
// needed, the checkpoint is what is under test.
std::string fake_run(const TempDir& dir, const std::string& ckpt) {
  write_good_data(dir, "data");
  dir.write("run/config.yaml", "name: h\ndata:\n  dir: " + dir.file("data") +
                                   "\nmodel:\n  user_hidden: [4]\n  item_hidden: [4]\n  dim: 2\n");
  dir.write("run/model.ckpt", ckpt);
  dir.write("run/marker.txt", "keep me\n");
  return dir.file("run");
}

void check_error(const towerrec::test::CliResult& r, int code, const std::string& message) {
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == code);
  CHECK(r.err.find(message) != std::string::npos);
}

}  // namespace

TEST_CASE("hostile cli: train with a bad ratings file leaves an existing --out untouched",
          "[cli][hostile]") {
  TempDir dir;
  write_good_data(dir, "data");
  dir.write("data/ratings.csv", "userId,movieId,rating,timestamp\n1,1,4,1\n1,2,nan,2\n");
  dir.write("out/marker.txt", "a previous run\n");
  dir.write("out/model.ckpt", "old weights");
  const auto before = snapshot(dir.file("out"));
  const auto r =
      run_cli({"train", "--config", config_for(dir, "data"), "--out", dir.file("out"), "-q"});
  check_error(r, 1,
              "towerrec: error: " + dir.file("data/ratings.csv") +
                  ":3: field 'rating': expected a number in [0.5, 5], found \"nan\"\n");
  CHECK(snapshot(dir.file("out")) == before);
}

TEST_CASE("hostile cli: train with an unterminated quote in movies.csv creates no --out",
          "[cli][hostile]") {
  TempDir dir;
  write_good_data(dir, "data");
  dir.write("data/movies.csv", "movieId,title,genres\n1,A,Drama\n2,\"B, The,Comedy\n3,C,Drama\n");
  const auto r =
      run_cli({"train", "--config", config_for(dir, "data"), "--out", dir.file("out"), "-q"});
  check_error(r, 1,
              dir.file("data/movies.csv") +
                  ":3: unterminated quoted field: a '\"' opened on this line is never closed");
  CHECK(!fs::exists(dir.file("out")));
}

TEST_CASE("hostile cli: train with ratings.csv a directory creates no --out", "[cli][hostile]") {
  TempDir dir;
  write_good_data(dir, "data");
  fs::remove(dir.file("data/ratings.csv"));
  fs::create_directories(dir.file("data/ratings.csv"));
  const auto r =
      run_cli({"train", "--config", config_for(dir, "data"), "--out", dir.file("out"), "-q"});
  check_error(r, 1, dir.file("data/ratings.csv") + ":0: expected a file, found a directory");
  CHECK(!fs::exists(dir.file("out")));
}

TEST_CASE("hostile cli: train on a content lab with a bad value creates no --out",
          "[cli][hostile]") {
  TempDir dir;
  dir.write("lab/content_user_train_header.txt", "user id,rating count,rating ave,Action\n");
  dir.write("lab/content_item_train_header.txt", "movie id,year,ave rating,Action\n");
  dir.write("lab/content_user_train.csv", "2,22,4.0,4.0\n3,10,3.0,2.5\n");
  dir.write("lab/content_item_train.csv", "10,2003,3.9,1\n11,2001,3.5,0\n");
  dir.write("lab/content_y_train.csv", "4.0\n1e39\n");
  dir.write("lab/content_item_vecs.csv", "10,2003,3.9,1\n11,2001,3.5,0\n");
  const auto r =
      run_cli({"train", "--config", config_for(dir, "lab"), "--out", dir.file("out"), "-q"});
  check_error(
      r, 1,
      dir.file("lab/content_y_train.csv") +
          ":2: field 'y': expected a finite number within float range (|x| <= 3.4e38), found "
          "\"1e39\"");
  CHECK(!fs::exists(dir.file("out")));
}

TEST_CASE("hostile cli: train with a duplicate config key creates no --out", "[cli][hostile]") {
  TempDir dir;
  write_good_data(dir, "data");
  dir.write("out/marker.txt", "a previous run\n");
  const auto before = snapshot(dir.file("out"));
  const auto cfg = config_for(dir, "data", "train:\n  lr: 0.01\n");  // train: appears twice
  const auto r = run_cli({"train", "--config", cfg, "--out", dir.file("out"), "-q"});
  check_error(r, 2, cfg + ":10: train: expected each key once, found it again (first at line 4)");
  CHECK(snapshot(dir.file("out")) == before);
}

TEST_CASE("hostile cli: train with an unterminated quote in the config creates no --out",
          "[cli][hostile]") {
  TempDir dir;
  const auto cfg = dir.write("c.yaml", "name: \"h\ntrain:\n  epochs: 1\n");
  const auto r = run_cli({"train", "--config", cfg, "--out", dir.file("out"), "-q"});
  check_error(r, 2,
              cfg +
                  ":1: invalid YAML: unterminated quoted string: the \" opened on this line is "
                  "never closed");
  CHECK(!fs::exists(dir.file("out")));
}

TEST_CASE("hostile cli: train into an unwritable output directory", "[cli][hostile]") {
  TempDir dir;
  write_good_data(dir, "data");
  dir.write("blocked", "a file where a directory is needed\n");
  auto r = run_cli(
      {"train", "--config", config_for(dir, "data"), "--out", dir.file("blocked/run"), "-q"});
  check_error(r, 1, "cannot create directory " + dir.file("blocked/run"));
  CHECK(towerrec::test::slurp(dir.file("blocked")) == "a file where a directory is needed\n");

  r = run_cli({"train", "--config", config_for(dir, "data"), "--out", dir.file("blocked"), "-q"});
  check_error(r, 1, "cannot create directory " + dir.file("blocked") + ": a file is in the way");
  CHECK(towerrec::test::slurp(dir.file("blocked")) == "a file where a directory is needed\n");

  if (::geteuid() == 0) {
    WARN("running as root: a read-only directory is writable, skipping the chmod case");
    return;
  }
  fs::create_directories(dir.file("ro"));
  ::chmod(dir.file("ro").c_str(), 0555);
  r = run_cli({"train", "--config", config_for(dir, "data"), "--out", dir.file("ro/run"), "-q"});
  ::chmod(dir.file("ro").c_str(), 0755);
  CHECK(r.exit_code == 1);
  CHECK(fs::is_empty(dir.file("ro")));
}

TEST_CASE("hostile cli: inspect a truncated ratings.dat", "[cli][hostile]") {
  TempDir dir;
  dir.write("movies.dat", "1::A (1995)::Drama\n");
  dir.write("ratings.dat", "1::1::5::978300760\n2::1");
  const auto r = run_cli({"inspect", dir.path(), "--quiet"});
  check_error(r, 1,
              dir.file("ratings.dat") +
                  ":2: expected 4 fields (UserID::MovieID::Rating::Timestamp), found 2; the last "
                  "line has no newline: is the file truncated?");
  CHECK(r.out.empty());
}

TEST_CASE("hostile cli: inspect an ml-100k u.item with a bad genre flag", "[cli][hostile]") {
  TempDir dir;
  dir.write("u.item", "1|A|01-Jan-1995||http://x|0|0|0|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0|x\n");
  dir.write("u.data", "1\t1\t4\t1\n");
  const auto r = run_cli({"inspect", dir.path(), "--quiet"});
  check_error(
      r, 1,
      dir.file("u.item") + ":1: field 'genre flag': expected an integer in [0, 1], found \"x\"");
}

TEST_CASE("hostile cli: eval with a zero-length model.ckpt changes nothing", "[cli][hostile]") {
  TempDir dir;
  const std::string run = fake_run(dir, "");
  const auto before = snapshot(run);
  const auto r = run_cli({"eval", "--run", run});
  check_error(r, 1,
              run +
                  "/model.ckpt: byte 0: expected magic \"TWOTOWER\" (a towerrec two-tower "
                  "checkpoint), found \"\"");
  CHECK(snapshot(run) == before);
}

TEST_CASE("hostile cli: embed with a checkpoint declaring huge sizes writes nothing",
          "[cli][hostile]") {
  TempDir dir;
  const std::string header =
      "{\"user_in\":1000000000000,\"item_in\":2,\"model\":{\"user_hidden\":[],\"item_hidden\":[],"
      "\"dim\":2},\"tensors\":[]}";
  std::string ckpt = "TWOTOWER";
  ckpt += std::string("\x02\x00\x00\x00", 4);  // format version 2
  const auto n = static_cast<uint32_t>(header.size());
  ckpt.append(reinterpret_cast<const char*>(&n), 4);
  ckpt += header;
  const uint64_t count = 32;  // what a small model would hold
  ckpt.append(reinterpret_cast<const char*>(&count), 8);
  const std::string run = fake_run(dir, ckpt);
  fs::create_directories(dir.file("out"));
  const auto before = snapshot(dir.path());
  const auto r = run_cli({"embed", "--run", run, "--out", dir.file("out/items.npy"), "-q"});
  check_error(r, 1,
              run + "/model.ckpt: byte " + std::to_string(16 + header.size()) +
                  ": expected 2000000000008 floats (the sum of the tensor sizes), found 32");
  CHECK(snapshot(dir.path()) == before);
}

TEST_CASE("hostile cli: similar with a truncated checkpoint writes nothing", "[cli][hostile]") {
  TempDir dir;
  const std::string run = fake_run(dir, "TWOTOWER\x01");
  fs::create_directories(dir.file("out"));
  const auto before = snapshot(dir.path());
  const auto r =
      run_cli({"similar", "--run", run, "--item", "1", "--out", dir.file("out/s.csv"), "-q"});
  check_error(r, 1,
              run + "/model.ckpt: byte 8: truncated: expected 4 bytes of format version, found 1");
  CHECK(snapshot(dir.path()) == before);
}

TEST_CASE("hostile cli: recommend with garbage exported towers writes nothing", "[cli][hostile]") {
  TempDir dir;
  const std::string run = fake_run(dir, "");
  dir.write(
      "towers/towers.json",
      "{\"format\": \"towerrec-towers\", \"version\": 1, \"dim\": 2, \"user_features\": [\"a\"],"
      " \"item_features\": [\"b\"], \"target\": {\"min\": 0.5, \"max\": 5},"
      " \"user_tower\": \"user_tower.pt\", \"item_tower\": \"item_tower.pt\"}\n");
  dir.write("towers/user_tower.pt", "PK\x03\x04 truncated");
  dir.write("towers/item_tower.pt", "PK\x03\x04 truncated");
  fs::create_directories(dir.file("out"));
  const auto before = snapshot(dir.path());
  const auto r = run_cli({"recommend", "--towers", dir.file("towers"), "--run", run, "--out",
                          dir.file("out/recs.csv"), "-q"});
  check_error(r, 1,
              dir.file("towers/user_tower.pt") +
                  ": byte 0: expected a TorchScript module (the user tower written by `towerrec "
                  "export`), but it cannot be loaded");
  CHECK(snapshot(dir.path()) == before);
}

TEST_CASE("hostile cli: recommend with a towers.json syntax error names its line",
          "[cli][hostile]") {
  TempDir dir;
  const std::string run = fake_run(dir, "");
  dir.write("towers/towers.json", "{\n  \"format\": \"towerrec-towers\",\n  \"dim\": 2,,\n}\n");
  fs::create_directories(dir.file("out"));
  const auto before = snapshot(dir.path());
  const auto r = run_cli({"recommend", "--towers", dir.file("towers"), "--run", run, "--out",
                          dir.file("out/recs.csv"), "-q"});
  check_error(r, 1,
              dir.file("towers/towers.json") +
                  ":3: expected JSON written by `towerrec export`, found a parse error: ");
  CHECK(snapshot(dir.path()) == before);
}

TEST_CASE("hostile cli: train with a directory as --config creates no --out", "[cli][hostile]") {
  TempDir dir;
  fs::create_directories(dir.file("c.yaml"));
  const auto r = run_cli({"train", "--config", dir.file("c.yaml"), "--out", dir.file("out"), "-q"});
  check_error(r, 2, "--config: File is actually a directory: " + dir.file("c.yaml"));
  CHECK(!fs::exists(dir.file("out")));
}

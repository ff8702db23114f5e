#include "train/train_state.h"

#include <cmath>
#include <limits>

#include <catch2/catch.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/rng.h"
#include "test_util.h"

using namespace towerrec;
using towerrec::test::TempDir;

namespace {

TrainState sample_state() {
  TrainState s;
  s.config_hash = config_fingerprint("train:\n  epochs: 5\n");
  s.epochs_done = 2;
  s.finished = false;
  s.stopped_early = false;
  EpochMetrics a;
  a.epoch = 1;
  a.train_loss = 0.1234567890123456789;
  a.val_loss = std::numeric_limits<double>::quiet_NaN();
  a.seconds = 1.5;
  a.rows_per_sec = 1e6 / 3;
  EpochMetrics b = a;
  b.epoch = 2;
  b.val_loss = 0.3;
  s.history = {a, b};
  s.best_epoch = 2;
  s.best_val_loss = 0.3;
  s.adam_steps = 17;
  Rng rng(5);
  rng.normal();  // a cached second normal is part of the state
  s.rng = rng.state();
  s.params = {1.f, -2.f, 3.5f};
  s.adam_m = {0.1f, 0.2f, 0.3f};
  s.adam_v = {1e-8f, 2e-8f, 3e-8f};
  s.best_params = {4.f, 5.f, 6.f};
  s.average = {7.f, -8.f, 9.5f};
  s.order = {2, 0, 1, 3};
  return s;
}

}  // namespace

TEST_CASE("train state: round-trips every field exactly", "[train]") {
  TempDir dir;
  const TrainState s = sample_state();
  save_train_state(dir.file("train_state.bin"), s);
  const TrainState t = load_train_state(dir.file("train_state.bin"));
  CHECK(t.config_hash == s.config_hash);
  CHECK(t.epochs_done == 2);
  CHECK(!t.finished);
  CHECK(t.best_epoch == 2);
  CHECK(t.best_val_loss == 0.3);
  CHECK(t.adam_steps == 17);
  CHECK(t.rng == s.rng);
  CHECK(t.params == s.params);
  CHECK(t.adam_m == s.adam_m);
  CHECK(t.adam_v == s.adam_v);
  CHECK(t.best_params == s.best_params);
  CHECK(t.average == s.average);
  CHECK(t.order == s.order);
  REQUIRE(t.history.size() == 2);
  CHECK(t.history[0].train_loss == s.history[0].train_loss);  // bit-exact through JSON
  CHECK(std::isnan(t.history[0].val_loss));
  CHECK(t.history[1].val_loss == 0.3);
  CHECK(t.history[0].rows_per_sec == s.history[0].rows_per_sec);

  // Infinite best loss (no finite validation yet) and no best weights.
  TrainState u = s;
  u.best_val_loss = std::numeric_limits<double>::infinity();
  u.best_params.clear();
  u.average.clear();
  save_train_state(dir.file("u.bin"), u);
  const TrainState v = load_train_state(dir.file("u.bin"));
  CHECK(std::isinf(v.best_val_loss));
  CHECK(v.best_params.empty());
  CHECK(v.average.empty());

  // The Rng continues the same sequence after a restore, cached normal included.
  Rng a(5), b(1);
  a.normal();
  REQUIRE(b.set_state(t.rng));
  CHECK(a.normal() == b.normal());
  CHECK(a.next() == b.next());
  CHECK(!b.set_state("not a state"));
}

TEST_CASE("train state: truncated or corrupt or foreign files are FormatErrors", "[train]") {
  TempDir dir;
  const std::string path = dir.file("train_state.bin");
  save_train_state(path, sample_state());
  const std::string bytes = read_file(path);

  // Every truncation is caught, naming a byte offset and what was expected.
  for (size_t cut : {size_t{0}, size_t{5}, size_t{12}, size_t{20}, bytes.size() - 100,
                     bytes.size() - 9, bytes.size() - 1}) {
    INFO("cut at " << cut);
    write_file_atomic(path, bytes.substr(0, cut));
    CHECK_THROWS_AS(load_train_state(path), FormatError);
    CHECK_THROWS_WITH(load_train_state(path),
                      Catch::StartsWith(path + ": byte ") && Catch::Contains("expected"));
  }
  write_file_atomic(path, bytes.substr(0, bytes.size() - 1));
  CHECK_THROWS_WITH(load_train_state(path), path + ": byte " + std::to_string(bytes.size() - 8) +
                                                ": truncated: expected 8 bytes of hash, found 7");

  write_file_atomic(path, "TWOTOWER and more bytes");
  CHECK_THROWS_WITH(load_train_state(path),
                    path +
                        ": byte 0: expected magic \"TWRSTATE\" (a towerrec training state), "
                        "found \"TWOTOWER\"");
  std::string v1 = bytes;  // a state from before the moving average
  v1[8] = 1;
  write_file_atomic(path, v1);
  CHECK_THROWS_WITH(load_train_state(path),
                    path +
                        ": byte 8: format version 1 is from an older towerrec (this build reads "
                        "version 2): train the run again (without --resume)");
  std::string v3 = bytes;
  v3[8] = 3;
  write_file_atomic(path, v3);
  CHECK_THROWS_WITH(load_train_state(path),
                    path + ": byte 8: expected format version 2 (this build's), found 3");

  // One flipped bit in the weights: the hash catches it.
  std::string flipped = bytes;
  flipped[bytes.size() - 40] ^= 1;
  write_file_atomic(path, flipped);
  CHECK_THROWS_WITH(load_train_state(path),
                    path + ": byte " + std::to_string(bytes.size() - 8) +
                        ": expected the FNV-1a hash of the preceding bytes: the file is corrupt");

  write_file_atomic(path, bytes + "x");
  CHECK_THROWS_WITH(load_train_state(path),
                    path + ": byte " + std::to_string(bytes.size()) +
                        ": expected the end of the file, found 1 more bytes");
  CHECK_THROWS_AS(load_train_state(dir.file("missing.bin")), IoError);
}

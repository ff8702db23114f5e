#include "model/two_tower_model.h"

#include <cmath>
#include <cstring>
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/rng.h"
#include "features/features.h"
#include "model/two_tower_impl.h"
#include "reference_tower.h"
#include "test_util.h"

using namespace towerrec;

namespace {

ModelOptions small_options() {
  ModelOptions opts;
  opts.user_hidden = {16, 8};
  opts.item_hidden = {12};
  opts.dim = 4;
  return opts;
}

std::vector<float> random_rows(int64_t n, int64_t cols, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> x(static_cast<size_t>(n * cols));
  for (float& v : x) v = static_cast<float>(rng.normal());
  return x;
}

std::string slurp_bytes(const std::string& path) { return test::slurp(path); }

void spit(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string load_error(const std::string& path) {
  try {
    TwoTowerModel::load(path);
  } catch (const FormatError& e) {
    return e.what();
  }
  return "(no FormatError)";
}

}  // namespace

TEST_CASE("two-tower model: shapes, parameter count and unit-norm embeddings", "[model]") {
  TwoTowerModel model(5, 7, small_options(), 1);
  CHECK(model.dim() == 4);
  CHECK(model.user_in() == 5);
  CHECK(model.item_in() == 7);
  // user: 5*16+16 + 16*8+8 + 8*4+4; item: 7*12+12 + 12*4+4
  CHECK(model.num_parameters() == (96 + 136 + 36) + (96 + 52));
  const auto xu = random_rows(9, 5, 3);
  const auto eu = model.embed_users(xu.data(), 9);
  REQUIRE(eu.size() == 9 * 4);
  const auto xi = random_rows(6, 7, 4);
  const auto ei = model.embed_items(xi.data(), 6);
  REQUIRE(ei.size() == 6 * 4);
  for (const auto* e : {&eu, &ei}) {
    for (size_t r = 0; r < e->size() / 4; ++r) {
      double ss = 0;
      for (size_t j = 0; j < 4; ++j) ss += (*e)[r * 4 + j] * (*e)[r * 4 + j];
      CHECK(std::sqrt(ss) == Approx(1.0).epsilon(1e-6));
    }
  }
  CHECK(model.embed_users(nullptr, 0).empty());
}

TEST_CASE("two-tower model: the forward pass equals plain torch ops", "[model][simd]") {
  TwoTowerModel model(5, 7, small_options(), 2);
  const int64_t n = 5000;  // more than one embedding chunk
  const auto xu = random_rows(n, 5, 5);
  const auto eu = model.embed_users(xu.data(), n);
  const at::Tensor ref = test::reference_tower(model.impl().user, test::tensor_of(xu, n, 5));
  CHECK(test::tensor_of(eu, n, 4).allclose(ref, 1e-5, 1e-6));
  const auto xi = random_rows(3, 7, 6);
  const auto ei = model.embed_items(xi.data(), 3);
  CHECK(test::tensor_of(ei, 3, 4).allclose(
      test::reference_tower(model.impl().item, test::tensor_of(xi, 3, 7)), 1e-5, 1e-6));
}

TEST_CASE("two-tower model: initialisation is seeded and torch.nn.Linear-shaped", "[model]") {
  TwoTowerModel a(5, 7, small_options(), 11), b(5, 7, small_options(), 11),
      c(5, 7, small_options(), 12);
  CHECK((a.impl().params).equal(b.impl().params));
  CHECK_FALSE((a.impl().params).equal(c.impl().params));
  const auto& w = a.impl().user.layers[1].weight;  // [8, 16]: bound 1/sqrt(16)
  CHECK(w.sizes().vec() == std::vector<int64_t>{8, 16});
  CHECK(w.abs().max().item<float>() <= 0.25f);
  CHECK(w.abs().max().item<float>() > 0.2f);
  const auto names = a.impl().named_parameters();
  REQUIRE(names.size() == 10);
  CHECK(names[0].first == "user.0.weight");
  CHECK(names[5].first == "user.2.bias");
  CHECK(names[9].first == "item.1.bias");
  TwoTowerModel copy = a.clone();
  CHECK((copy.impl().params).equal(a.impl().params));
  copy.impl().params.zero_();
  CHECK_FALSE((copy.impl().params).equal(a.impl().params));
}

TEST_CASE("two-tower model: sizes below 1 are usage errors", "[model]") {
  ModelOptions opts = small_options();
  opts.user_hidden = {16, 0};
  CHECK_THROWS_WITH(TwoTowerModel(5, 7, opts, 1),
                    "two-tower model: model.user_hidden: expected a size >= 1, got 0");
  CHECK_THROWS_AS(TwoTowerModel(0, 7, small_options(), 1), UsageError);
  ModelOptions no_hidden = small_options();
  no_hidden.item_hidden.clear();  // a single linear layer is a valid tower
  TwoTowerModel linear(5, 7, no_hidden, 1);
  CHECK(linear.impl().item.layers.size() == 1);
}

TEST_CASE("two-tower checkpoint: round trip keeps weights, options and metadata", "[model]") {
  test::TempDir dir;
  TwoTowerModel model(5, 7, small_options(), 3);
  const nlohmann::json meta = {{"epoch", 4}, {"features", {"a", "b"}}};
  const std::string path = dir.file("m.ckpt");
  model.save(path, meta);
  nlohmann::json meta_back;
  TwoTowerModel back = TwoTowerModel::load(path, &meta_back);
  CHECK(meta_back == meta);
  CHECK(back.options().user_hidden == small_options().user_hidden);
  CHECK(back.options().item_hidden == small_options().item_hidden);
  CHECK(back.dim() == 4);
  CHECK(back.user_in() == 5);
  CHECK(back.item_in() == 7);
  const auto x = random_rows(10, 5, 9);
  CHECK(back.embed_users(x.data(), 10) == model.embed_users(x.data(), 10));
  const auto xi = random_rows(10, 7, 9);
  CHECK(back.embed_items(xi.data(), 10) == model.embed_items(xi.data(), 10));
  CHECK((back.impl().params).equal(model.impl().params));
}

TEST_CASE("two-tower checkpoint: foreign, truncated and corrupt files name the byte", "[model]") {
  test::TempDir dir;
  TwoTowerModel model(5, 7, small_options(), 3);
  const std::string good = dir.file("good.ckpt");
  model.save(good, {{"k", 1}});
  const std::string bytes = slurp_bytes(good);
  uint32_t header_len = 0;
  std::memcpy(&header_len, bytes.data() + 12, 4);
  const size_t count_pos = 16 + header_len;
  const size_t data_pos = count_pos + 8;
  const size_t data_bytes = static_cast<size_t>(model.num_parameters()) * 4;
  REQUIRE(bytes.size() == data_pos + data_bytes + 8);

  const std::string bad = dir.file("bad.ckpt");
  spit(bad, "hello world, not a model");
  CHECK(load_error(bad) == bad +
                               ": byte 0: expected magic \"TWOTOWER\" (a towerrec two-tower "
                               "checkpoint), found \"hello wo\"");
  spit(bad, "");
  CHECK(load_error(bad) == bad +
                               ": byte 0: expected magic \"TWOTOWER\" (a towerrec two-tower "
                               "checkpoint), found \"\"");
  spit(bad, bytes.substr(0, 10));
  CHECK(load_error(bad) ==
        bad + ": byte 8: truncated: expected 4 bytes of format version, found 2");
  std::string v7 = bytes;
  v7[8] = 7;
  spit(bad, v7);
  CHECK(load_error(bad) == bad + ": byte 8: expected format version 2 (this build's), found 7");
  // A version 1 checkpoint (weights-only hash) names the remedy.
  std::string v1 = bytes;
  v1[8] = 1;
  spit(bad, v1);
  CHECK(load_error(bad) == bad +
                               ": byte 8: format version 1 is from an older towerrec (this build "
                               "reads version 2): re-train the model (towerrec train)");
  spit(bad, bytes.substr(0, 40));
  CHECK(load_error(bad) == bad + ": byte 16: truncated: expected " + std::to_string(header_len) +
                               " bytes of header JSON, found 24");
  spit(bad, bytes.substr(0, data_pos + 100));
  CHECK(load_error(bad) == bad + ": byte " + std::to_string(data_pos) + ": truncated: expected " +
                               std::to_string(data_bytes) + " bytes of weights, found 100");
  spit(bad, bytes.substr(0, bytes.size() - 3));
  CHECK(load_error(bad) == bad + ": byte " + std::to_string(data_pos + data_bytes) +
                               ": truncated: expected 8 bytes of hash, found 5");
  std::string flipped = bytes;
  flipped[data_pos + 17] ^= 0x40;
  spit(bad, flipped);
  CHECK(load_error(bad) == bad + ": byte " + std::to_string(data_pos + data_bytes) +
                               ": expected the FNV-1a hash of the preceding bytes: the file is "
                               "corrupt");
  spit(bad, bytes + "xyz");
  CHECK(load_error(bad) == bad + ": byte " + std::to_string(bytes.size()) +
                               ": expected the end of the file, found 3 more bytes");
  std::string bad_json = bytes;
  bad_json[16] = '[';  // header no longer an object... and no longer valid JSON either
  spit(bad, bad_json);
  CHECK_THAT(load_error(bad), Catch::StartsWith(bad + ": byte "));
  CHECK_THAT(load_error(bad), Catch::Contains("bad header JSON"));

  // A header whose tensor list disagrees with its own options.
  std::string header = bytes.substr(16, header_len);
  const size_t at = header.find("[16,5]");
  REQUIRE(at != std::string::npos);
  header.replace(at, 6, "[16,6]");
  spit(bad, bytes.substr(0, 16) + header + bytes.substr(16 + header_len));
  CHECK(load_error(bad) == bad +
                               ": byte 16: tensor 0: expected user.0.weight [16, 5] (from the "
                               "header's model options), found user.0.weight [16, 6]");

  CHECK_THROWS_AS(TwoTowerModel::load(dir.file("missing.ckpt")), IoError);
}

TEST_CASE("two-tower model: a checkpoint that does not fit the features says how", "[model]") {
  const TwoTowerModel model(5, 7, small_options(), 1, /*user_bag=*/3, /*item_bag=*/0);
  towerrec::Features f;
  f.user.names.assign(5, "u");
  f.item.names.assign(7, "i");
  f.user_bag.cols = 3;
  CHECK_NOTHROW(towerrec::check_checkpoint_fits("run/model.ckpt", model, f));
  f.item.names.assign(6, "i");
  CHECK_THROWS_WITH(towerrec::check_checkpoint_fits("run/model.ckpt", model, f),
                    "run/model.ckpt: checkpoint expects 5 user and 7 item features, the data "
                    "gives 5 and 6");
  f.item.names.assign(7, "i");
  f.user_bag.cols = 4;
  CHECK_THROWS_WITH(towerrec::check_checkpoint_fits("run/model.ckpt", model, f),
                    "run/model.ckpt: checkpoint expects bags of 3 watched items and 0 item ids, "
                    "the features give 4 and 0");
}

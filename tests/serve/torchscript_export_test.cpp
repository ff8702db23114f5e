#include "serve/torchscript_export.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "config/yaml_config.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/npy.h"
#include "features/sparse_rows.h"
#include "serve/exported_towers.h"
#include "test_util.h"
#include "towers_fixture.h"
#include "train/training_run.h"

using namespace towerrec;
using nlohmann::json;
using towerrec::test::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr double kParityTol = 1e-5;

ExportSource fixture_source() { return {"/runs/fixture", "fixture", 4}; }

// What the trainer computes: the model on the SCALED features.
std::vector<float> trainer_users(const test::TowersFixture& fx) {
  return fx.model.embed_users(fx.features.user.data.data(), fx.features.user.rows);
}
std::vector<float> trainer_items(const test::TowersFixture& fx) {
  return fx.model.embed_items(fx.features.item.data.data(), fx.features.item.rows);
}

void check_unit_rows(const std::vector<float>& v, int64_t dim) {
  for (size_t r = 0; r < v.size() / dim; ++r) {
    double ss = 0;
    for (int64_t d = 0; d < dim; ++d) ss += double(v[r * dim + d]) * v[r * dim + d];
    REQUIRE(std::sqrt(ss) == Approx(1.0).margin(1e-5));
  }
}

bool python_torch_available() {
  return std::system("/usr/bin/python3 -c 'import torch, numpy' >/dev/null 2>&1") == 0;
}

// scripts/towers_parity.py on dir's towers/ and *_raw.npy (and *_bag.npy), writing users.npy and
// items.npy.
void run_parity_script(const TempDir& dir, bool bags) {
  std::string cmd =
      std::string("/usr/bin/python3 '") + TOWERREC_SOURCE_DIR + "/scripts/towers_parity.py'";
  for (const char* f : {"towers", "users_raw.npy", "items_raw.npy", "users.npy", "items.npy"})
    cmd += " '" + dir.file(f) + "'";
  if (bags) cmd += " '" + dir.file("user_bag.npy") + "' '" + dir.file("item_bag.npy") + "'";
  cmd += " 2>'" + dir.file("err") + "'";
  const int status = std::system(cmd.c_str());
  INFO(test::slurp(dir.file("err")));
  REQUIRE(status == 0);
}

}  // namespace

TEST_CASE("export: writes both modules and towers.json", "[serve]") {
  TempDir dir;
  const test::TowersFixture fx = test::make_towers_fixture(50);
  const ExportResult r = export_towers(fx.model, fx.stats, fixture_source(), dir.file("towers"));
  CHECK(r.user_tower == dir.file("towers/user_tower.pt"));
  CHECK(r.item_tower == dir.file("towers/item_tower.pt"));
  CHECK(r.towers_json == dir.file("towers/towers.json"));
  CHECK(r.dim == 6);
  CHECK(r.user_features == 5);
  CHECK(r.item_features == 7);
  for (const auto& e : fs::directory_iterator(dir.file("towers")))
    CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);

  const json j = json::parse(test::slurp(r.towers_json));
  CHECK(j.at("format") == "towerrec-towers");
  CHECK(j.at("version") == 1);
  CHECK(j.at("towerrec_version") == TOWERREC_VERSION);
  CHECK(j.at("run") == json({{"dir", "/runs/fixture"}, {"name", "fixture"}, {"epoch", 4}}));
  CHECK(j.at("dim") == 6);
  CHECK(j.at("user_tower") == "user_tower.pt");
  CHECK(j.at("item_tower") == "item_tower.pt");
  CHECK(j.at("user_features") == fx.features.user_raw.names);
  CHECK(j.at("item_features") == fx.features.item_raw.names);
  CHECK(j.at("target") == json({{"min", 1.0}, {"max", 5.0}}));
  CHECK(j.at("stars") == "stars = (dot + 1) / 2 * (max - min) + min");
  CHECK(j.at("global_mean") == 3.25);
  CHECK(j.at("imputed") == json({{"item.year", 1995.0}}));

  // Re-exporting over an existing export replaces it in place.
  CHECK_NOTHROW(export_towers(fx.model, fx.stats, fixture_source(), dir.file("towers")));
}

TEST_CASE("export: stats that disagree with the model are refused", "[serve]") {
  TempDir dir;
  const test::TowersFixture fx = test::make_towers_fixture(20);
  json stats = fx.stats;
  stats["user"]["names"].push_back("user.extra");
  stats["user"]["mean"].push_back(0.0);
  stats["user"]["scale"].push_back(1.0);
  CHECK_THROWS_WITH(export_towers(fx.model, stats, fixture_source(), dir.file("t")),
                    "export: the model expects 5 user and 7 item features, the features stats name "
                    "6 and 7");
  stats = fx.stats;
  stats["item"]["names"].erase(0);
  CHECK_THROWS_WITH(
      export_towers(fx.model, stats, fixture_source(), dir.file("t")),
      "features stats: key 'item': expected 6 means and scales (one per name), found 7");
  stats = fx.stats;
  stats.erase("target");
  CHECK_THROWS_WITH(export_towers(fx.model, stats, fixture_source(), dir.file("t")),
                    "features stats: key 'target': expected {\"min\", \"max\"}, found no such key");
  CHECK(!fs::exists(dir.file("t/towers.json")));
}

TEST_CASE("export: LibTorch's torch::jit::load gives the trainer's vectors on 1,000 raw rows",
          "[serve]") {
  TempDir dir;
  const test::TowersFixture fx = test::make_towers_fixture(1000);
  export_towers(fx.model, fx.stats, fixture_source(), dir.path());
  const ExportedTowers towers = ExportedTowers::load(dir.path());
  CHECK(towers.dim() == 6);
  CHECK(towers.user_features() == fx.features.user_raw.names);
  CHECK(towers.item_features() == fx.features.item_raw.names);
  CHECK(towers.target_min() == 1.0);
  CHECK(towers.target_max() == 5.0);
  CHECK(towers.to_stars(-1.0) == 1.0);
  CHECK(towers.to_stars(1.0) == 5.0);
  CHECK(towers.to_stars(0.0) == 3.0);
  CHECK(towers.info().at("run").at("name") == "fixture");

  const std::vector<float> users = towers.embed_users(fx.features.user_raw.data.data(), 1000, 5);
  const std::vector<float> items = towers.embed_items(fx.features.item_raw.data.data(), 1000, 7);
  REQUIRE(users.size() == 1000 * 6);
  REQUIRE(items.size() == 1000 * 6);
  CHECK(test::max_abs_diff(users, trainer_users(fx)) <= kParityTol);
  CHECK(test::max_abs_diff(items, trainer_items(fx)) <= kParityTol);
  check_unit_rows(users, 6);
  check_unit_rows(items, 6);
  // The scaling really is inside: feeding the scaled rows gives other vectors.
  CHECK(test::max_abs_diff(towers.embed_users(fx.features.user.data.data(), 1000, 5),
                           trainer_users(fx)) > 1e-2);
  // Zero rows is an empty result, not an error.
  CHECK(towers.embed_users(nullptr, 0, 5).empty());
}

TEST_CASE("export: Python's torch.jit.load gives the trainer's vectors on 1,000 raw rows",
          "[serve]") {
  if (!python_torch_available()) {
    WARN("/usr/bin/python3 cannot import torch and numpy; skipping the Python parity check");
    return;
  }
  TempDir dir;
  const test::TowersFixture fx = test::make_towers_fixture(1000);
  export_towers(fx.model, fx.stats, fixture_source(), dir.file("towers"));
  write_npy(dir.file("users_raw.npy"), fx.features.user_raw.data.data(), 1000, 5);
  write_npy(dir.file("items_raw.npy"), fx.features.item_raw.data.data(), 1000, 7);
  run_parity_script(dir, false);
  const NpyMatrix<float> users = read_npy_f32(dir.file("users.npy"));
  const NpyMatrix<float> items = read_npy_f32(dir.file("items.npy"));
  REQUIRE(users.rows == 1000);
  REQUIRE(users.cols == 6);
  REQUIRE(items.rows == 1000);
  REQUIRE(items.cols == 6);
  CHECK(test::max_abs_diff(users.data, trainer_users(fx)) <= kParityTol);
  CHECK(test::max_abs_diff(items.data, trainer_items(fx)) <= kParityTol);
  // And Python agrees with LibTorch's loader on the same files.
  const ExportedTowers towers = ExportedTowers::load(dir.file("towers"));
  CHECK(test::max_abs_diff(users.data, towers.embed_users(fx.features.user_raw.data.data(), 1000,
                                                          5)) <= kParityTol);
}

TEST_CASE("export: `towerrec export` exports a trained run directory", "[serve]") {
  TempDir dir;
  const std::string run = dir.file("run");
  run_training(
      load_run_options(
          "", {"name=tiny", "out=" + run, "data.synthetic.users=60", "data.synthetic.items=50",
               "data.synthetic.ratings_per_user=10", "model.user_hidden=[8]",
               "model.item_hidden=[8]", "model.dim=4", "train.epochs=1", "train.batch_size=64"}),
      {});
  const test::CliResult r = test::run_cli({"export", "--run", run, "--out", dir.file("out")});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("wrote " + dir.file("out/user_tower.pt")) != std::string::npos);
  CHECK(r.out.find("wrote " + dir.file("out/towers.json")) != std::string::npos);

  const json stats = json::parse(test::slurp(run + "/features.json"));
  const ExportedTowers towers = ExportedTowers::load(dir.file("out"));
  CHECK(towers.info().at("run") == json({{"dir", run}, {"name", "tiny"}, {"epoch", 1}}));
  CHECK(towers.user_features() == stats.at("user").at("names").get<std::vector<std::string>>());
  CHECK(towers.item_features() == stats.at("item").at("names").get<std::vector<std::string>>());
  CHECK(towers.info().at("target") == stats.at("target"));
  CHECK(towers.info().at("imputed") == stats.at("imputed"));
  CHECK(towers.dim() == 4);

  // Raw rows around the training statistics, through the export and through checkpoint + scaler.
  const TwoTowerModel model = TwoTowerModel::load(run + "/model.ckpt");
  const ColumnScaler scaler = ColumnScaler::from_json(stats.at("item"));
  FeatureMatrix raw;
  raw.names = towers.item_features();
  raw.resize(200);
  for (int64_t r = 0; r < raw.rows; ++r)
    for (int64_t c = 0; c < raw.cols(); ++c)
      raw.row(r)[c] =
          scaler.mean[c] + scaler.scale[c] * static_cast<float>(((r * 7 + c * 3) % 11) - 5) / 3;
  const FeatureMatrix scaled = scaler.applied(raw);
  CHECK(test::max_abs_diff(towers.embed_items(raw.data.data(), raw.rows, raw.cols()),
                           model.embed_items(scaled.data.data(), scaled.rows)) <= kParityTol);

  // Without --out the export lands in <run>/towers.
  const test::CliResult d = test::run_cli({"export", "--run", run});
  CHECK(d.exit_code == 0);
  CHECK(fs::exists(run + "/towers/towers.json"));
}

TEST_CASE("export: a directory that is not an exportable run is a clear error", "[serve]") {
  TempDir dir;
  fs::create_directories(dir.file("empty"));
  CHECK_THROWS_WITH(export_run_towers(dir.file("empty"), dir.file("out")),
                    dir.file("empty") +
                        ": not a run directory (no config.yaml; expected the output "
                        "of `towerrec train`)");
  const std::string cf = dir.file("cf");
  fs::create_directories(cf);
  write_file_atomic(cf + "/config.yaml",
                    dump_run_options(load_run_options("", {"name=cf", "model.kind=cf"})));
  CHECK_THROWS_WITH(export_run_towers(cf, dir.file("out")),
                    cf + ": model.kind is cf; only two_tower runs have towers to export");
  const std::string early = dir.file("early");
  fs::create_directories(early);
  write_file_atomic(early + "/config.yaml", dump_run_options(load_run_options("", {"name=early"})));
  CHECK_THROWS_WITH(export_run_towers(early, dir.file("out")),
                    early + ": no model.ckpt (training did not finish an epoch)");
  CHECK(!fs::exists(dir.file("out")));

  const test::CliResult r = test::run_cli({"export", "--run", cf});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("only two_tower runs have towers to export") != std::string::npos);
  const test::CliResult bad = test::run_cli({"export", "--out", dir.file("x")});
  CHECK(bad.exit_code == 2);
}

TEST_CASE("export: towers with bags and a rating head: LibTorch, Python and the trainer agree",
          "[serve]") {
  TempDir dir;
  const test::TowersFixture fx = test::make_towers_fixture(300, 11, /*bags=*/true);
  export_towers(fx.model, fx.stats, fixture_source(), dir.file("towers"));
  const json info = json::parse(test::slurp(dir.file("towers/towers.json")));
  CHECK(info["watched_items"] == json({101, 102, 103, 104, 105, 106, 107, 108, 109}));
  CHECK(info["item_ids"] == json({201, 202, 203, 204}));
  CHECK(info["rating_head"]["scale"].get<double>() == Approx(1.5));
  CHECK(info["rating_head"]["bias"].get<double>() == Approx(-0.25));
  REQUIRE(info["rating_head"]["user"].size() == 6);

  const auto& f = fx.features;
  const std::vector<float> want_users = fx.model.embed_users(f.user.data.data(), 300, &f.user_bag);
  const std::vector<float> want_items = fx.model.embed_items(f.item.data.data(), 300, &f.item_bag);
  // The bags matter: without them the vectors differ.
  CHECK(test::max_abs_diff(want_users, fx.model.embed_users(f.user.data.data(), 300)) > 1e-3);
  const ExportedTowers towers = ExportedTowers::load(dir.file("towers"));
  CHECK(towers.user_bag() == 9);
  CHECK(towers.item_bag() == 4);
  CHECK(test::max_abs_diff(towers.embed_users(f.user_raw.data.data(), 300, 5, &f.user_bag),
                           want_users) <= kParityTol);
  CHECK(test::max_abs_diff(towers.embed_items(f.item_raw.data.data(), 300, 7, &f.item_bag),
                           want_items) <= kParityTol);
  // A bag from another vocabulary is refused.
  SparseRows other = f.user_bag;
  other.cols = 8;
  CHECK_THROWS_WITH(towers.embed_users(f.user_raw.data.data(), 300, 5, &other),
                    Catch::Contains("bag has 9 positions, the features give 8"));

  if (!python_torch_available()) {
    WARN("/usr/bin/python3 cannot import torch and numpy; skipping the Python parity check");
    return;
  }
  auto entries = [](const SparseRows& bag) {
    std::vector<float> e;
    for (int64_t r = 0; r < bag.rows; ++r)
      for (int64_t k = bag.begin(r); k < bag.end(r); ++k) {
        e.push_back(static_cast<float>(r));
        e.push_back(static_cast<float>(bag.index[static_cast<size_t>(k)]));
      }
    return e;
  };
  const std::vector<float> ub = entries(f.user_bag), ib = entries(f.item_bag);
  write_npy(dir.file("users_raw.npy"), f.user_raw.data.data(), 300, 5);
  write_npy(dir.file("items_raw.npy"), f.item_raw.data.data(), 300, 7);
  write_npy(dir.file("user_bag.npy"), ub.data(), static_cast<int64_t>(ub.size() / 2), 2);
  write_npy(dir.file("item_bag.npy"), ib.data(), static_cast<int64_t>(ib.size() / 2), 2);
  run_parity_script(dir, true);
  CHECK(test::max_abs_diff(read_npy_f32(dir.file("users.npy")).data, want_users) <= kParityTol);
  CHECK(test::max_abs_diff(read_npy_f32(dir.file("items.npy")).data, want_items) <= kParityTol);
}

TEST_CASE("export: separate rating towers are written beside the towers and agree with the model",
          "[serve]") {
  TempDir dir;
  const test::TowersFixture fx = test::make_towers_fixture(200, 11, /*bags=*/true);
  ModelOptions opts = fx.model.options();
  opts.rating_head = RatingHeadKind::kDot;
  const TwoTowerModel rating(5, 7, opts, /*seed=*/12, 9, 4);
  const ExportResult r =
      export_towers(fx.model, fx.stats, fixture_source(), dir.file("towers"), &rating);
  CHECK(r.user_rating_tower == dir.file("towers/user_rating_tower.pt"));
  const json info = json::parse(test::slurp(dir.file("towers/towers.json")));
  CHECK(info["rating_towers"] ==
        json({{"user", "user_rating_tower.pt"}, {"item", "item_rating_tower.pt"}}));
  CHECK(info["stars"].get<std::string>().find("user_rating_tower") != std::string::npos);

  // The rating modules are towers like the others: loaded in their place, they give the rating
  // model's vectors on the raw features.
  const std::string as_towers = dir.file("rating_as_towers");
  fs::create_directories(as_towers);
  fs::copy_file(dir.file("towers/towers.json"), as_towers + "/towers.json");
  fs::copy_file(dir.file("towers/user_rating_tower.pt"), as_towers + "/user_tower.pt");
  fs::copy_file(dir.file("towers/item_rating_tower.pt"), as_towers + "/item_tower.pt");
  const ExportedTowers towers = ExportedTowers::load(as_towers);
  const auto& f = fx.features;
  CHECK(test::max_abs_diff(towers.embed_users(f.user_raw.data.data(), 200, 5, &f.user_bag),
                           rating.embed_users(f.user.data.data(), 200, &f.user_bag)) <= kParityTol);
  CHECK(test::max_abs_diff(towers.embed_items(f.item_raw.data.data(), 200, 7, &f.item_bag),
                           rating.embed_items(f.item.data.data(), 200, &f.item_bag)) <= kParityTol);
  // And they are not the retrieval towers.
  CHECK(test::max_abs_diff(rating.embed_users(f.user.data.data(), 200, &f.user_bag),
                           fx.model.embed_users(f.user.data.data(), 200, &f.user_bag)) > 1e-3);

  // Rating towers whose inputs differ from the towers' are refused.
  const TwoTowerModel narrow(4, 7, opts, 12, 9, 4);
  CHECK_THROWS_WITH(export_towers(fx.model, fx.stats, fixture_source(), dir.file("bad"), &narrow),
                    "export: the rating towers' inputs differ from the retrieval towers'");
}

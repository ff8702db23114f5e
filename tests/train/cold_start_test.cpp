// Cold start through the whole pipeline: a user who rated nothing (only demographics in users.csv)
// and items nobody rated (only genres and a year in movies.csv) get predictions from the trained
// towers.
#include <cmath>
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "config/yaml_config.h"
#include "data/dataset.h"
#include "data/dataset_reader.h"
#include "data/split.h"
#include "data/synthetic_generator.h"
#include "features/features.h"
#include "features/rating_stats.h"
#include "model/two_tower_model.h"
#include "test_util.h"
#include "train/training_run.h"
#include "train/two_tower_trainer.h"

using namespace towerrec;
using towerrec::test::TempDir;

namespace {

void append(const std::string& path, const std::string& lines) {
  std::ofstream out(path, std::ios::app);
  out << lines;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  double ma = 0, mb = 0;
  for (size_t i = 0; i < a.size(); ++i) ma += a[i], mb += b[i];
  ma /= a.size(), mb /= b.size();
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

// `extra`: config overrides (the retrieval model: joint loss, rating head, bags). `bounded`: the
// prediction is the plain dot product, so stars stay within the target range.
void check_cold_start(const std::vector<std::string>& extra, bool bounded) {
  TempDir t;
  const std::string data_dir = t.file("data");
  std::vector<std::string> sets = {"name=cold",
                                   "out=" + t.file("run"),
                                   "data.dir=" + data_dir,
                                   "data.synthetic.users=300",
                                   "data.synthetic.items=200",
                                   "data.synthetic.ratings_per_user=30",
                                   "model.user_hidden=[32]",
                                   "model.item_hidden=[32]",
                                   "model.dim=8",
                                   "train.epochs=6",
                                   "train.batch_size=64",
                                   "train.lr=0.003"};
  sets.insert(sets.end(), extra.begin(), extra.end());
  RunOptions opts = load_run_options("", sets);
  SyntheticGenerator(opts.data.synthetic).write(data_dir, nullptr);
  // Two cold users of opposite demographics, two cold items of different genres and decades.
  append(data_dir + "/users.csv", "900001,19,F,student\n900002,70,M,retired\n");
  append(data_dir + "/movies.csv",
         "900001,Cold Drama (2015),Drama\n900002,Cold Comedy (1970),Comedy|Children\n");
  run_training(opts, {});

  // The run's own inputs, rebuilt: same data, split and features.
  const Dataset data = read_dataset(data_dir, opts.data);
  const Split split = make_split(data, SplitSpec::parse(opts.data.split));
  const Features f = build_features(data, split.train, opts.features);
  const RatingStats stats = RatingStats::from_rows(data, split.train);
  const TwoTowerModel model = TwoTowerModel::load(t.file("run/model.ckpt"));
  const int32_t u1 = data.users.find(900001), u2 = data.users.find(900002);
  const int32_t i1 = data.items.find(900001), i2 = data.items.find(900002);
  REQUIRE(u1 >= 0);
  REQUIRE(i1 >= 0);
  REQUIRE(stats.user_count[u1] == 0);
  REQUIRE(stats.item_count[i1] == 0);

  // Every item for both cold users.
  std::vector<int32_t> users, items;
  for (int32_t u : {u1, u2})
    for (int32_t i = 0; i < data.num_items(); ++i) users.push_back(u), items.push_back(i);
  const SparseRows* ubag = f.user_bag.empty() ? nullptr : &f.user_bag;
  const SparseRows* ibag = f.item_bag.empty() ? nullptr : &f.item_bag;
  // A cold user's bag and a cold item's id bag are empty: content features alone.
  if (ubag) REQUIRE(ubag->end(u1) == ubag->begin(u1));
  if (ibag) REQUIRE(ibag->end(i1) == ibag->begin(i1));
  const std::vector<float> scaled =
      predict_two_tower(model, f.user, f.item, users, items, ubag, ibag);
  std::vector<double> stars(scaled.size());
  for (size_t k = 0; k < scaled.size(); ++k) {
    stars[k] = f.target.unscale(scaled[k]);
    REQUIRE(std::isfinite(stars[k]));
    if (!bounded) continue;
    REQUIRE(stars[k] >= f.target.min - 1e-4);
    REQUIRE(stars[k] <= f.target.max + 1e-4);
  }
  const size_t n = static_cast<size_t>(data.num_items());
  // Demographics reach the prediction: the two cold users do not get the same scores.
  double diff = 0;
  for (size_t i = 0; i < n; ++i) diff = std::max(diff, std::abs(stars[i] - stars[n + i]));
  CHECK(diff > 0.05);
  // A cold user's scores follow what training learned about the items: they correlate with the
  // items' training averages (items with at least 5 training ratings).
  std::vector<double> pred, avg;
  for (size_t i = 0; i < n; ++i) {
    if (stats.item_count[i] < 5) continue;
    pred.push_back(stars[i]);
    avg.push_back(stats.item_sum[i] / stats.item_count[i]);
  }
  const double r = pearson(pred, avg);
  INFO("pearson(cold user's predictions, item training averages) = " << r);
  CHECK(r > 0.3);

  // Cold items for every user: their scores vary across users and differ between the two items.
  std::vector<int32_t> all_users, cold_items;
  for (int32_t i : {i1, i2})
    for (int32_t u = 0; u < data.num_users(); ++u) all_users.push_back(u), cold_items.push_back(i);
  const std::vector<float> s2 =
      predict_two_tower(model, f.user, f.item, all_users, cold_items, ubag, ibag);
  const size_t m = static_cast<size_t>(data.num_users());
  double lo = INFINITY, hi = -INFINITY, between = 0;
  for (size_t u = 0; u < m; ++u) {
    REQUIRE(std::isfinite(s2[u]));
    lo = std::min(lo, static_cast<double>(s2[u]));
    hi = std::max(hi, static_cast<double>(s2[u]));
    between = std::max(between, static_cast<double>(std::abs(s2[u] - s2[m + u])));
  }
  CHECK(hi - lo > 0.05);
  CHECK(between > 0.05);
}

}  // namespace

TEST_CASE("cold start: unrated users and items get predictions through the towers", "[train]") {
  check_cold_start({}, /*bounded=*/true);
}

TEST_CASE("cold start: the retrieval model (joint loss, rating head, watched items, item ids)",
          "[train]") {
  check_cold_start(
      {"train.loss=joint", "model.rating_head=linear", "train.temperature=0.2",
       "features.watched_items=100", "features.item_ids=100", "features.out_of_fold=0"},
      /*bounded=*/false);
}

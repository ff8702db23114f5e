// Issue 16's target on real data: a run trained without 20% of the users scores them from today's
// data (--data) about as well as the users it trained on.
//
// Protocol (ml-latest-small): every user's ratings are split by a seeded hash into known (80%) and
// held back (20%); a seeded 20% of the users are "removed". The run trains on the known ratings of
// the other users only; today's data holds the known ratings of everyone. Both groups are scored
// from today's data and judged on their held-back ratings >= 4 (Recall@10 = hits / relevant, as
// eval/ranking_metrics.h), so neither group's test ratings were ever seen.
#include <cstdint>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>

#include "config/yaml_config.h"
#include "core/rng.h"
#include "serve/exact_recommender.h"
#include "serve/vector_source.h"
#include "test_util.h"
#include "today_fixture.h"
#include "train/training_run.h"

using namespace towerrec;
using towerrec::test::slurp;
using towerrec::test::TempDir;

namespace {

struct Rating {
  std::string line;
  int64_t user = 0, item = 0;
  double value = 0;
};

std::vector<Rating> read_ratings(const std::string& path) {
  std::vector<Rating> out;
  std::istringstream in(test::body_of(slurp(path)));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    Rating r;
    r.line = line;
    char comma;
    std::istringstream f(line);
    f >> r.user >> comma >> r.item >> comma >> r.value;
    out.push_back(r);
  }
  return out;
}

bool hashed_below(uint64_t a, uint64_t b, double fraction) {
  return static_cast<double>(mix_seed(mix_seed(16, a), b) % 1000) < fraction * 1000;
}

struct GroupRecall {
  double sum = 0;
  int64_t users = 0;
  double mean() const { return users ? sum / static_cast<double>(users) : 0; }
};

}  // namespace

TEST_CASE("score --data: users the run never saw get recommendations as good as trained users",
          "[serve][real_data]") {
  const std::string src = test::shared_data("ml-latest-small");
  if (src.empty()) {
    WARN("../shared/data/ml-latest-small is absent; skipping the new-users target");
    return;
  }
  TempDir dir;
  const std::vector<Rating> all = read_ratings(src + "/ratings.csv");
  const std::string header = "userId,movieId,rating,timestamp\n";
  std::string train = header, today = header;
  std::set<int64_t> removed;
  std::map<int64_t, std::set<int64_t>> held_back, known;  // user -> items (held back: >= 4 only)
  for (const Rating& r : all) {
    const bool is_removed = hashed_below(1, static_cast<uint64_t>(r.user), 0.2);
    if (is_removed) removed.insert(r.user);
    if (hashed_below(static_cast<uint64_t>(r.user), static_cast<uint64_t>(r.item), 0.2)) {
      if (r.value >= 4) held_back[r.user].insert(r.item);
      continue;
    }
    known[r.user].insert(r.item);
    today += r.line + "\n";
    if (!is_removed) train += r.line + "\n";
  }
  const std::string movies = slurp(src + "/movies.csv");
  dir.write("train/movies.csv", movies);
  dir.write("train/ratings.csv", train);
  dir.write("today/movies.csv", movies);
  dir.write("today/ratings.csv", today);
  REQUIRE(removed.size() > 100);

  // A small, fast model of the shipped config's kind (softmax, bags).
  const RunOptions o = load_run_options(
      "", {"name=removed-users", "out=" + dir.file("run"), "data.dir=" + dir.file("train"),
           "data.split=random:0.1:42", "features.out_of_fold=0", "features.watched_items=1000",
           "features.item_ids=1000", "model.user_hidden=[64]", "model.item_hidden=[64]",
           "model.dim=32", "train.loss=softmax", "train.temperature=0.2", "train.lr=0.003",
           "train.batch_size=1024", "train.epochs=4", "train.patience=4"});
  run_training(o, {});

  const VectorSource source = VectorSource::open({dir.file("run"), "", dir.file("today")});
  const Dataset& data = source.run().data;
  REQUIRE(data.num_users() == static_cast<int32_t>(known.size()));
  ServeOptions so;
  so.k = 10;
  recommend_exact(source, so, {}, dir.file("recs.csv"));

  std::map<int64_t, std::vector<int64_t>> recs;
  std::istringstream in(test::body_of(slurp(dir.file("recs.csv"))));
  std::string line;
  while (std::getline(in, line)) {
    int64_t user, rank, item;
    char comma;
    std::istringstream f(line);
    f >> user >> comma >> rank >> comma >> item;
    recs[user].push_back(item);
  }
  GroupRecall removed_recall, trained_recall;
  for (const int64_t u : removed) {
    INFO("removed user " << u);
    REQUIRE(recs[u].size() == 10);
    for (int64_t item : recs[u]) CHECK(known[u].count(item) == 0);
  }
  for (const auto& [u, relevant] : held_back) {
    if (!known.count(u)) continue;  // every rating held back: not in today's data
    int64_t hits = 0;
    for (int64_t item : recs[u]) hits += relevant.count(item);
    GroupRecall& g = removed.count(u) ? removed_recall : trained_recall;
    g.sum += static_cast<double>(hits) / static_cast<double>(relevant.size());
    ++g.users;
  }
  WARN("Recall@10 on held-back ratings: removed users "
       << removed_recall.mean() << " (" << removed_recall.users << " users), trained users "
       << trained_recall.mean() << " (" << trained_recall.users << " users)");
  CHECK(removed_recall.users > 50);
  CHECK(trained_recall.mean() > 0.05);
  CHECK(removed_recall.mean() >= 0.8 * trained_recall.mean());
}

// Feature engineering and baselines on the shared real datasets (skipped with a warning when
// absent).
#include <cmath>

#include <catch2/catch.hpp>

#include "data/content_lab.h"
#include "data/dataset_reader.h"
#include "data/split.h"
#include "eval/baselines.h"
#include "features/features.h"
#include "test_util.h"

using namespace towerrec;

namespace {

bool has_column(const FeatureMatrix& m, const std::string& name) {
  for (const auto& n : m.names) {
    if (n == name) return true;
  }
  return false;
}

bool all_finite(const FeatureMatrix& m) {
  for (float v : m.data) {
    if (!std::isfinite(v)) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("features: ml-100k with demographics", "[features]") {
  const std::string dir = test::shared_data("ml-100k");
  if (dir.empty()) {
    WARN("ml-100k not found; skipping");
    return;
  }
  DataOptions data_opts;
  data_opts.format = DataFormat::kMl100k;
  const Dataset data = read_dataset(dir, data_opts);
  const Split split = make_split(data, SplitSpec::parse("ml100k:u1"));
  const Features f = build_features(data, split.train, FeatureOptions{});
  CHECK(f.user.rows == 943);
  CHECK(f.item.rows == 1682);
  CHECK(has_column(f.item_raw, "item.genre.Comedy"));
  CHECK(has_column(f.item_raw, "item.year_missing"));  // u.item has movies without a release date
  CHECK(has_column(f.user_raw, "user.genre_avg.Comedy"));
  CHECK(has_column(f.user_raw, "user.age"));
  CHECK(has_column(f.user_raw, "user.gender=F"));
  CHECK(all_finite(f.user));
  CHECK(all_finite(f.item));
  CHECK(f.target.min == 1);
  CHECK(f.target.max == 5);
}

TEST_CASE("features: the course lab's training rows", "[features]") {
  const std::string dir = test::shared_data("c3w2-content-based-lab");
  if (dir.empty()) {
    WARN("c3w2-content-based-lab not found; skipping");
    return;
  }
  const ContentLab lab = read_content_lab(dir);
  std::vector<uint32_t> train;
  for (uint32_t r = 0; r < 40000; ++r) train.push_back(r);
  const Features f = build_lab_features(lab, train);
  CHECK(f.user.rows == 50884);
  CHECK(f.user.cols() == 14);
  CHECK(f.item.cols() == 16);
  CHECK(all_finite(f.user));
  CHECK(f.target.min == 0.5);
  CHECK(f.target.max == 5);
  CHECK(lab_item_catalogue(lab, f).rows == 847);
}

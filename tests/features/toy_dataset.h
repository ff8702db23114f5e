// A hand-made Dataset small enough to compute every feature by hand (numbers in the tests).
//   genres Action (bit 0), Comedy (bit 1), Drama (bit 2)
//   items  i0 year 2000 Action | i1 year unknown Comedy | i2 year 2010 Action+Comedy | i3 year 1990
//   Drama users  u0 age 20 gender M | u1 age missing gender F | u2 age 40 gender X rows   r0 u0 i0
//   4 | r1 u0 i1 2 | r2 u1 i0 5 | r3 u1 i2 2 | r4 u0 i2 1 | r5 u2 i3 5 | r6 u1 i1 5 train  {0, 1,
//   2, 3, 6}; test {4, 5}: u2 and i3 are cold (test ratings only)
#pragma once

#include <cmath>
#include <vector>

#include "config/options.h"
#include "data/dataset.h"

namespace towerrec::test {

// The feature options the hand computations assume (shrinkage 2 on the averages).
inline FeatureOptions toy_options() {
  FeatureOptions opts;
  opts.shrinkage = 2;
  return opts;
}

inline Dataset toy_dataset() {
  Dataset d;
  d.rating_min = 0.5;
  d.rating_max = 5;
  for (int64_t u : {100, 101, 102}) d.users.add(u);
  for (int64_t i : {10, 11, 12, 13}) d.items.add(i);
  d.item_meta.title = {"a", "b", "c", "d"};
  d.item_meta.year = {2000, 0, 2010, 1990};
  d.item_meta.genres = {1, 2, 3, 4};
  d.item_meta.genre_names = {"Action", "Comedy", "Drama"};
  const int32_t rows[][3] = {{0, 0, 4}, {0, 1, 2}, {1, 0, 5}, {1, 2, 2},
                             {0, 2, 1}, {2, 3, 5}, {1, 1, 5}};
  int64_t ts = 1000;
  for (const auto& r : rows) d.ratings.push_back(r[0], r[1], static_cast<float>(r[2]), ts++);
  DemographicColumn age;
  age.name = "age";
  age.numeric = {20.f, NAN, 40.f};
  DemographicColumn gender;
  gender.name = "gender";
  gender.categorical = true;
  gender.categories = {"M", "F", "X"};
  gender.code = {0, 1, 2};
  d.user_meta.columns = {age, gender};
  return d;
}

inline std::vector<uint32_t> toy_train() { return {0, 1, 2, 3, 6}; }
inline std::vector<uint32_t> toy_test() { return {4, 5}; }

}  // namespace towerrec::test

#include "cf/cf_lab_new_user.h"

#include <algorithm>
#include <numeric>

#include "cf/cf_trainer.h"
#include "core/error.h"
#include "data/cf_lab.h"

namespace towerrec {

std::vector<CfLabRating> cf_lab_example_ratings() {
  return {{2700, 5}, {2609, 2}, {929, 5}, {246, 5},  {2716, 3}, {1150, 5}, {382, 2},
          {366, 5},  {622, 5},  {988, 3}, {2925, 1}, {2937, 1}, {793, 5}};
}

Ratings cf_lab_ratings(const CfLab& lab) {
  Ratings r;
  for (int64_t i = 0; i < lab.R.rows(); ++i)
    for (int64_t u = 0; u < lab.R.cols(); ++u)
      if (lab.R(i, u) != 0.f)
        r.push_back(static_cast<int32_t>(u), static_cast<int32_t>(i), lab.Y(i, u), 0);
  return r;
}

CfLabNewUserResult cf_lab_new_user(const CfLab& lab, const std::vector<CfLabRating>& my,
                                   const CfOptions& opts, int64_t top_n, int64_t min_ratings,
                                   const ProgressFn& progress) {
  const int32_t n_items = static_cast<int32_t>(lab.Y.rows());
  const int32_t n_users = static_cast<int32_t>(lab.Y.cols()) + 1;
  std::vector<float> mine(static_cast<size_t>(n_items), 0.f);
  for (const CfLabRating& m : my) {
    if (m.movie < 0 || m.movie >= n_items)
      throw Error("cf_lab_new_user: expected a movie index in [0, " + std::to_string(n_items) +
                  "), found " + std::to_string(m.movie));
    if (!(m.rating > 0.f && m.rating <= 5.f))
      throw Error("cf_lab_new_user: movie " + std::to_string(m.movie) +
                  ": expected a rating in (0, 5], found " + std::to_string(m.rating));
    mine[m.movie] = m.rating;
  }
  // As the lab does (np.c_[my_ratings, Y]): the new user is column 0, everyone else shifts by one.
  Ratings train;
  std::vector<int32_t> count(static_cast<size_t>(n_items), 0);
  for (int32_t i = 0; i < n_items; ++i) {
    if (mine[i] != 0.f) train.push_back(0, i, mine[i], 0);
    for (int64_t u = 0; u < lab.R.cols(); ++u)
      if (lab.R(i, u) != 0.f) {
        train.push_back(static_cast<int32_t>(u + 1), i, lab.Y(i, u), 0);
        ++count[i];
      }
  }
  CfLabNewUserResult res;
  const CfModel model = train_cf(train, n_users, n_items, opts, progress, &res.loss);
  const std::vector<float> s = model.scores(0);
  auto pred = [&](int32_t i) {
    return CfLabPrediction{i, i < static_cast<int32_t>(lab.titles.size()) ? lab.titles[i] : "",
                           s[i], mine[i], count[i]};
  };
  std::vector<int32_t> order;
  for (int32_t i = 0; i < n_items; ++i)
    if (mine[i] == 0.f && count[i] >= min_ratings) order.push_back(i);
  const size_t take = std::min(order.size(), static_cast<size_t>(std::max<int64_t>(top_n, 0)));
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(take), order.end(),
                    [&](int32_t a, int32_t b) { return s[a] != s[b] ? s[a] > s[b] : a < b; });
  for (size_t k = 0; k < take; ++k) res.top.push_back(pred(order[k]));
  for (const CfLabRating& m : my) res.rated.push_back(pred(m.movie));
  return res;
}

}  // namespace towerrec

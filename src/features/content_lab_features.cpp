// build_lab_features and lab_item_catalogue (declared in features/features.h).
#include <algorithm>
#include <string>

#include "core/error.h"
#include "data/content_lab.h"
#include "features/features.h"

namespace towerrec {

namespace {

// Columns [first, cols) of `m`, names included.
FeatureMatrix columns_from(const FeatureMatrix& m, int64_t first, const char* what) {
  if (m.cols() <= first) {
    throw Error(std::string("content lab: ") + what + ": expected more than " +
                std::to_string(first) + " columns, found " + std::to_string(m.cols()));
  }
  FeatureMatrix out;
  out.names.assign(m.names.begin() + first, m.names.end());
  out.resize(m.rows);
  for (int64_t r = 0; r < m.rows; ++r) {
    std::copy(m.row(r) + first, m.row(r) + m.cols(), out.row(r));
  }
  return out;
}

}  // namespace

Features build_lab_features(const ContentLab& lab, const std::vector<uint32_t>& train_rows) {
  const int64_t n = lab.user_train.rows;
  if (lab.item_train.rows != n || static_cast<int64_t>(lab.y_train.size()) != n) {
    throw Error("content lab: expected user_train, item_train and y_train with equal rows, found " +
                std::to_string(n) + ", " + std::to_string(lab.item_train.rows) + " and " +
                std::to_string(lab.y_train.size()));
  }
  if (train_rows.empty()) {
    throw Error("training split: expected at least one training rating, found none");
  }
  Features f;
  double sum = 0, lo = 0, hi = 0;
  for (size_t k = 0; k < train_rows.size(); ++k) {
    const uint32_t r = train_rows[k];
    if (r >= n) {
      throw Error("training split: expected row indices < " + std::to_string(n) +
                  " (lab training rows), found " + std::to_string(r));
    }
    const double y = lab.y_train[r];
    sum += y;
    lo = k ? std::min(lo, y) : y;
    hi = k ? std::max(hi, y) : y;
  }
  f.global_mean = sum / static_cast<double>(train_rows.size());
  f.target.min = lo;
  f.target.max = hi > lo ? hi : lo + 1.0;

  f.user_raw = columns_from(lab.user_train, ContentLab::kUserFirstFeature, "user_train");
  f.item_raw = columns_from(lab.item_train, ContentLab::kItemFirstFeature, "item_train");
  f.user_scaler.fit(f.user_raw, train_rows);
  f.item_scaler.fit(f.item_raw, train_rows);
  f.user = f.user_scaler.applied(f.user_raw);
  f.item = f.item_scaler.applied(f.item_raw);
  return f;
}

FeatureMatrix lab_item_catalogue(const ContentLab& lab, const Features& f) {
  FeatureMatrix m = columns_from(lab.item_vecs, ContentLab::kItemFirstFeature, "item_vecs");
  if (m.cols() != f.item_raw.cols()) {
    throw Error("content lab: item_vecs: expected " + std::to_string(f.item_raw.cols()) +
                " item columns as in item_train, found " + std::to_string(m.cols()));
  }
  f.item_scaler.apply(m);
  return m;
}

}  // namespace towerrec

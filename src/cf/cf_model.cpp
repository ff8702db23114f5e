#include "cf/cf_model.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "cf/ridge_solve.h"
#include "core/byte_cursor.h"
#include "core/error.h"
#include "core/framed_file.h"

namespace towerrec {
namespace {

// File layout: core/framed_file.h's frame (magic "TRCFMODL", version, header, payload, hash), in
// the byte order of the host that wrote it (little-endian on x86/ARM), with
//   header   CfOptions as JSON (the config the model was trained with; enums by their YAML names)
//   payload  int32 n_users, n_items, features   features = cf_stored_features(options): gibbs
//                                                samples and ensemble runs side by side
//            float rating_min, rating_max
//            float W[n_users*features], b[n_users], X[n_items*features], mu[n_items]
// Version 3 moved into the frame (adding its hash); versions 1 and 2 are refused with the remedy.
constexpr FrameFormat kCfModelFormat = {"TRCFMODL", 3, "a towerrec CF model",
                                        "re-train the model (towerrec train)"};

// visit() adapters: CfOptions <-> JSON, so the saved config follows options.h automatically.
struct CfOptionsToJson {
  nlohmann::json j;
  template <class T>
  void field(const char* key, T& v, const char*, const Check& = Check::any()) {
    if constexpr (is_option_enum<T>::value)
      j[key] = enum_name(v);
    else
      j[key] = v;
  }
};
struct CfOptionsFromJson {
  const nlohmann::json& j;
  const std::string& path;
  template <class T>
  void field(const char* key, T& v, const char*, const Check& = Check::any()) {
    if (!j.contains(key)) return;
    if constexpr (is_option_enum<T>::value) {
      const std::string name = j.at(key).get<std::string>();
      if (!parse_enum(name, v)) {
        std::string names;
        for (const std::string& n : enum_names<T>()) names += (names.empty() ? "" : ", ") + n;
        throw FormatError(path, kFrameHeaderStart,
                          std::string("options: cf.") + key + ": expected one of: " + names +
                              ", found " + quote_found(name));
      }
    } else {
      j.at(key).get_to(v);
    }
  }
};

void put_floats(std::string& out, const std::vector<float>& v) {
  out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

float sigmoid(float z) { return 1.f / (1.f + std::exp(-z)); }

}  // namespace

int64_t cf_stored_features(const CfOptions& opts) {
  const int64_t samples = opts.solver == CfSolverKind::kGibbs
                              ? (opts.iterations - opts.burn_in) / std::max<int64_t>(opts.thin, 1)
                              : 1;
  return opts.features * samples * opts.ensemble;
}

CfModel::CfModel(int32_t n_users, int32_t n_items, const CfOptions& opts)
    : CfModel(n_users, n_items, opts, static_cast<int32_t>(cf_stored_features(opts))) {}

CfModel::CfModel(int32_t n_users, int32_t n_items, const CfOptions& opts, int32_t features)
    : options_(opts),
      n_users_(n_users),
      n_items_(n_items),
      f_(features),
      W_(static_cast<size_t>(n_users) * f_, 0.f),
      b_(static_cast<size_t>(n_users), 0.f),
      X_(static_cast<size_t>(n_items) * f_, 0.f),
      mu_(static_cast<size_t>(n_items), 0.f) {
  TOWERREC_CHECK(n_users >= 0 && n_items >= 0 && f_ >= 1);
}

void CfModel::check_user(int32_t user) const {
  if (user < 0 || user >= n_users_)
    throw Error("cf model: user index " + std::to_string(user) + " out of range [0, " +
                std::to_string(n_users_) + ")");
}
void CfModel::check_item(int32_t item) const {
  if (item < 0 || item >= n_items_)
    throw Error("cf model: item index " + std::to_string(item) + " out of range [0, " +
                std::to_string(n_items_) + ")");
}

float CfModel::raw_score(const float* w, float b, int32_t item) const {
  const float* x = X_.data() + static_cast<int64_t>(item) * f_;
  float s = 0.f;
  for (int32_t k = 0; k < f_; ++k) s += w[k] * x[k];
  return s + b + mu_[item];
}

void CfModel::set_rating_range(float lo, float hi) {
  if (!(lo <= hi))
    throw Error("cf model: rating range: expected min <= max, found " + std::to_string(lo) + " > " +
                std::to_string(hi));
  lo_ = lo;
  hi_ = hi;
}

float CfModel::output(float z) const { return binary() ? sigmoid(z) : std::clamp(z, lo_, hi_); }

float CfModel::predict(int32_t user, int32_t item) const {
  check_user(user);
  check_item(item);
  return output(raw_score(W_.data() + static_cast<int64_t>(user) * f_, b_[user], item));
}

std::vector<float> CfModel::predict(const std::vector<int32_t>& user,
                                    const std::vector<int32_t>& item) const {
  if (user.size() != item.size())
    throw Error("cf model: predict: " + std::to_string(user.size()) + " users but " +
                std::to_string(item.size()) + " items");
  std::vector<float> out(user.size());
  for (size_t r = 0; r < user.size(); ++r) out[r] = predict(user[r], item[r]);
  return out;
}

std::vector<float> CfModel::scores(int32_t user) const {
  check_user(user);
  CfUserParams p;
  p.w.assign(W_.begin() + static_cast<int64_t>(user) * f_,
             W_.begin() + static_cast<int64_t>(user + 1) * f_);
  p.b = b_[user];
  return scores(p);
}

std::vector<float> CfModel::scores(const CfUserParams& user) const {
  if (static_cast<int32_t>(user.w.size()) != f_)
    throw Error("cf model: user parameters have " + std::to_string(user.w.size()) +
                " features, the model " + std::to_string(f_));
  std::vector<float> out(static_cast<size_t>(n_items_));
  for (int32_t i = 0; i < n_items_; ++i) {
    out[i] = output(raw_score(user.w.data(), user.b, i));
  }
  return out;
}

CfUserParams CfModel::fold_in_user(const std::vector<int32_t>& items,
                                   const std::vector<float>& values, double lambda) const {
  if (items.size() != values.size())
    throw Error("cf model: fold_in_user: " + std::to_string(items.size()) + " items but " +
                std::to_string(values.size()) + " values");
  for (int32_t i : items) check_item(i);
  for (float v : values)
    if (!std::isfinite(v)) throw Error("cf model: fold_in_user: non-finite rating");
  if (lambda < 0) lambda = options_.lambda;
  if (options_.regularization == CfRegularization::kPerRating)
    lambda *= static_cast<double>(items.size());
  CfUserParams p;
  p.w.assign(static_cast<size_t>(f_), 0.f);
  const int64_t n = static_cast<int64_t>(items.size());
  if (binary()) {
    bool zero_one = true;
    for (float v : values) zero_one = zero_one && (v == 0.f || v == 1.f);
    std::vector<float> y(values.size());
    for (size_t r = 0; r < values.size(); ++r)
      y[r] = zero_one ? values[r] : (values[r] >= options_.binary_threshold ? 1.f : 0.f);
    logistic_fit_user(X_.data(), f_, mu_.data(), items.data(), y.data(), n, lambda, p.w.data(),
                      &p.b);
  } else {
    ridge_fit_user(X_.data(), f_, mu_.data(), items.data(), values.data(), n, lambda, p.w.data(),
                   &p.b, options_.bias_lambda);
  }
  return p;
}

void CfModel::save(const std::string& path) const {
  CfOptionsToJson tj;
  CfOptions opts = options_;
  opts.visit(tj);
  FramedWriter file(kCfModelFormat, tj.j.dump(),
                    32 + (W_.size() + b_.size() + X_.size() + mu_.size()) * sizeof(float));
  std::string& out = file.bytes();
  append_pod(out, n_users_);
  append_pod(out, n_items_);
  append_pod(out, f_);
  append_pod(out, lo_);
  append_pod(out, hi_);
  put_floats(out, W_);
  put_floats(out, b_);
  put_floats(out, X_);
  put_floats(out, mu_);
  file.commit(path);
}

CfModel CfModel::load(const std::string& path) {
  FramedReader file(path, kCfModelFormat);
  ByteCursor& in = file.payload();
  CfModel m;
  try {
    const nlohmann::json header = nlohmann::json::parse(file.header());
    CfOptionsFromJson fj{header, path};
    m.options_.visit(fj);
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(path, kFrameHeaderStart,
                      std::string("options: expected CfOptions JSON, found: ") + e.what());
  }
  const uint64_t dims_at = in.pos();
  m.n_users_ = in.get<int32_t>("n_users");
  m.n_items_ = in.get<int32_t>("n_items");
  m.f_ = in.get<int32_t>("features");
  // Content features have the width of the item feature matrix, which the options do not name.
  const bool content = m.options_.item_features == CfItemFeatures::kContent;
  const int64_t stored = cf_stored_features(m.options_);
  if (m.n_users_ < 0 || m.n_items_ < 0 || m.f_ < 1 || (!content && m.f_ != stored)) {
    const std::string expected =
        "n_users >= 0, n_items >= 0, features " +
        (content ? std::string(">= 1")
                 : "= " + std::to_string(stored) + " (the options' stored features)");
    const std::string found = std::to_string(m.n_users_) + ", " + std::to_string(m.n_items_) +
                              ", " + std::to_string(m.f_);
    throw FormatError(path, dims_at, "expected " + expected + ", found " + found);
  }
  const uint64_t range_at = in.pos();
  const float lo = in.get<float>("rating_min"), hi = in.get<float>("rating_max");
  if (!(lo <= hi))
    throw FormatError(path, range_at,
                      "expected rating_min <= rating_max, found " + std::to_string(lo) + " > " +
                          std::to_string(hi));
  m.lo_ = lo;
  m.hi_ = hi;
  const uint64_t nu = static_cast<uint64_t>(m.n_users_), ni = static_cast<uint64_t>(m.n_items_),
                 f = static_cast<uint64_t>(m.f_);
  m.W_ = in.get_array<float>(nu * f, "W");
  m.b_ = in.get_array<float>(nu, "b");
  m.X_ = in.get_array<float>(ni * f, "X");
  m.mu_ = in.get_array<float>(ni, "mu");
  file.finish();
  return m;
}

}  // namespace towerrec

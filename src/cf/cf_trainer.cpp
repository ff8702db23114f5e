#include "cf/cf_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

#include <ATen/ops/binary_cross_entropy_with_logits.h>
#include <torch/optim/adam.h>

#include "cf/gibbs_sampler.h"
#include "cf/ridge_solve.h"
#include "cf/sparse_dot_impl.h"
#include "cf/wals_solver.h"
#include "config/validate.h"
#include "core/error.h"
#include "core/rng.h"
#include "data/dataset.h"
#include "dist/dist_context.h"

namespace towerrec {
namespace {

void check_ratings(const Ratings& r, int32_t n_users, int32_t n_items, const char* what) {
  if (r.user.size() != r.item.size() || r.user.size() != r.value.size())
    throw Error(std::string("train_cf: ") + what + ": user/item/value arrays differ in length");
  for (size_t k = 0; k < r.size(); ++k) {
    if (r.user[k] < 0 || r.user[k] >= n_users || r.item[k] < 0 || r.item[k] >= n_items)
      throw Error(std::string("train_cf: ") + what + ": rating " + std::to_string(k) +
                  ": expected user < " + std::to_string(n_users) + " and item < " +
                  std::to_string(n_items) + ", found user " + std::to_string(r.user[k]) +
                  ", item " + std::to_string(r.item[k]));
    if (!std::isfinite(r.value[k]))
      throw Error(std::string("train_cf: ") + what + ": rating " + std::to_string(k) +
                  ": expected a finite value");
  }
}

// Item offsets μ: mean training rating (binary: log-odds of the Laplace-smoothed like rate); the
// global value for an item without training ratings.
std::vector<float> item_offsets(const Ratings& r, const std::vector<float>& target, int32_t n_items,
                                bool binary) {
  std::vector<double> sum(static_cast<size_t>(n_items), 0.0);
  std::vector<int64_t> count(static_cast<size_t>(n_items), 0);
  double total = 0;
  for (size_t k = 0; k < r.size(); ++k) {
    sum[r.item[k]] += target[k];
    ++count[r.item[k]];
    total += target[k];
  }
  const double n = static_cast<double>(r.size());
  std::vector<float> mu(static_cast<size_t>(n_items));
  if (!binary) {
    const double global = n > 0 ? total / n : 0.0;
    for (int32_t i = 0; i < n_items; ++i)
      mu[i] = static_cast<float>(count[i] ? sum[i] / count[i] : global);
  } else {
    auto logit = [](double p) { return std::log(p / (1.0 - p)); };
    const double global = (total + 1.0) / (n + 2.0);
    for (int32_t i = 0; i < n_items; ++i)
      mu[i] = static_cast<float>(logit(count[i] ? (sum[i] + 1.0) / (count[i] + 2.0) : global));
  }
  return mu;
}

// Validation metric from plain parameter arrays: RMSE of the predictions clipped to [lo, hi] as
// CfModel::predict clips them (stars), or mean log-loss (binary).
// Distributed: each rank sums its shard of the validation ratings and the sums are all-reduced.
double validation_metric(const float* W, const float* b, const float* X, const float* mu, int64_t f,
                         bool binary, double lo, double hi, const Ratings& val,
                         const std::vector<float>& target, DistContext& ranks) {
  if (val.size() == 0) return 0.0;
  double acc = 0;
  const int64_t n_val = static_cast<int64_t>(val.size());
  for (size_t r = static_cast<size_t>(ranks.shard_begin(n_val));
       r < static_cast<size_t>(ranks.shard_end(n_val)); ++r) {
    const float* w = W + static_cast<int64_t>(val.user[r]) * f;
    const float* x = X + static_cast<int64_t>(val.item[r]) * f;
    double z = b[val.user[r]] + mu[val.item[r]];
    for (int64_t k = 0; k < f; ++k) z += static_cast<double>(w[k]) * x[k];
    if (binary) {
      // log(1 + e^-|z|) + max(z, 0) - y z: the stable form of the cross-entropy.
      acc += std::log1p(std::exp(-std::abs(z))) + std::max(z, 0.0) - target[r] * z;
    } else {
      z = std::clamp(z, lo, hi);
      acc += (z - target[r]) * (z - target[r]);
    }
  }
  ranks.all_reduce_sum(&acc, 1);
  const double mean = acc / static_cast<double>(val.size());
  return binary ? mean : std::sqrt(mean);
}

std::vector<float> normal_init(size_t n, double std, Rng& rng) {
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(rng.normal() * std);
  return v;
}

// Per-rating tensors of the loss: targets, and μ_i per rating for the binary model's logits.
struct Targets {
  torch::Tensor target, offset;
};

Targets make_targets(const Ratings& r, const std::vector<float>& target,
                     const std::vector<float>& mu, bool binary) {
  const int64_t n = static_cast<int64_t>(r.size());
  Targets t;
  t.target = torch::from_blob(const_cast<float*>(target.data()), {n}, torch::kFloat32).clone();
  if (binary) {
    t.offset = torch::empty({n}, torch::kFloat32);
    float* off = t.offset.data_ptr<float>();
    for (int64_t k = 0; k < n; ++k) off[k] = mu[r.item[k]];
  }
  return t;
}

// The data term of J for logits/predictions z (targets follow z's dtype: cf_cost sums in double).
torch::Tensor data_loss(const torch::Tensor& z, const Targets& t, bool binary) {
  const torch::Tensor y = t.target.to(z.scalar_type());
  return binary ? torch::binary_cross_entropy_with_logits(z + t.offset.to(z.scalar_type()), y, {},
                                                          {}, at::Reduction::Sum)
                : 0.5 * (z - y).square().sum();
}

// ΣW² + ΣX², or with per_rating each row's squared norm weighted by its training rating count.
class Penalty {
 public:
  Penalty(const Ratings& r, int32_t n_users, int32_t n_items, bool per_rating) {
    if (!per_rating) return;
    user_count_ = torch::zeros({n_users, 1}, torch::kFloat32);
    item_count_ = torch::zeros({n_items, 1}, torch::kFloat32);
    float *cu = user_count_.data_ptr<float>(), *ci = item_count_.data_ptr<float>();
    for (size_t k = 0; k < r.size(); ++k) {
      cu[r.user[k]] += 1.f;
      ci[r.item[k]] += 1.f;
    }
  }
  torch::Tensor operator()(const torch::Tensor& W, const torch::Tensor& X) const {
    if (!user_count_.defined()) return W.square().sum() + X.square().sum();
    return (W.square() * user_count_.to(W.scalar_type())).sum() +
           (X.square() * item_count_.to(X.scalar_type())).sum();
  }

 private:
  torch::Tensor user_count_, item_count_;
};

torch::Tensor to_param(const std::vector<float>& v, std::vector<int64_t> shape) {
  return torch::from_blob(const_cast<float*>(v.data()), shape, torch::kFloat32)
      .clone()
      .requires_grad_(true);
}

void copy_out(const torch::Tensor& t, std::vector<float>& v) {
  const torch::Tensor c = t.detach().contiguous();
  std::copy(c.data_ptr<float>(), c.data_ptr<float>() + c.numel(), v.begin());
}

std::string loss_text(double loss, const CfHistory& h) {
  std::ostringstream s;
  s.precision(6);
  s << "loss " << loss;
  if (!h.validation.empty()) s << " val " << h.validation.back();
  return s.str();
}

// opts.ensemble runs with seeds seed, seed + 1, ... (each with ensemble 1), their columns side by
// side and W scaled by 1/runs: the average of their predictions as one model. μ is the same in
// every run without an item bias; with one it is averaged. History: the first run's curves, the
// total time.
CfModel train_ensemble(const Ratings& train, int32_t n_users, int32_t n_items,
                       const CfOptions& opts, const ProgressFn& progress, CfHistory* history,
                       const Ratings* validation, DistContext* dist) {
  CfModel model(n_users, n_items, opts);
  const int64_t runs = opts.ensemble;
  const int64_t width = model.features(), block = width / runs;
  const float scale = 1.f / static_cast<float>(runs);
  std::vector<double> mu_sum(static_cast<size_t>(n_items), 0.0);
  CfHistory first;
  double seconds = 0;
  for (int64_t k = 0; k < runs; ++k) {
    CfOptions one = opts;
    one.ensemble = 1;
    one.seed = opts.seed + static_cast<uint64_t>(k);
    CfHistory h;
    const CfModel m = train_cf(train, n_users, n_items, one, progress, &h, validation, dist);
    TOWERREC_CHECK(m.features() == block);
    seconds += h.seconds;
    if (k == 0) {
      first = std::move(h);
      model.set_rating_range(m.rating_min(), m.rating_max());
    }
    for (int32_t u = 0; u < n_users; ++u) {
      for (int64_t j = 0; j < block; ++j)
        model.user_weights()[u * width + k * block + j] = m.user_weights()[u * block + j] * scale;
      model.user_bias()[u] += m.user_bias()[u] * scale;
    }
    for (int32_t i = 0; i < n_items; ++i) {
      std::copy(m.item_features().begin() + i * block, m.item_features().begin() + (i + 1) * block,
                model.item_features().begin() + i * width + k * block);
      mu_sum[i] += m.item_offset()[i];
    }
  }
  for (int32_t i = 0; i < n_items; ++i)
    model.item_offset()[i] = static_cast<float>(mu_sum[i] / static_cast<double>(runs));
  first.seconds = seconds;
  if (history) *history = std::move(first);
  return model;
}

}  // namespace

std::vector<float> cf_labels(const std::vector<float>& values, double threshold) {
  const bool zero_one =
      std::all_of(values.begin(), values.end(), [](float v) { return v == 0.f || v == 1.f; });
  std::vector<float> y(values.size());
  for (size_t k = 0; k < values.size(); ++k)
    y[k] = zero_one ? values[k] : (values[k] >= threshold ? 1.f : 0.f);
  return y;
}

CfModel train_cf(const Ratings& train, int32_t n_users, int32_t n_items, const CfOptions& opts,
                 const ProgressFn& progress, CfHistory* history, const Ratings* validation,
                 DistContext* dist) {
  DistContext one_process;
  DistContext& ranks = dist ? *dist : one_process;
  if (ranks.distributed() && opts.solver != "adam")
    throw UsageError("train_cf: cf.solver: distributed training (" + ranks.describe() +
                     ") supports \"adam\" only, found " + quote_found(opts.solver) +
                     "; run ALS in one process (without torchrun)");
  // The options' fields and cross-field rules, as the config loader checks them
  // (config/validate.h).
  throw_if_invalid(opts, "train_cf");
  if (n_users < 0 || n_items < 0) throw Error("train_cf: negative n_users or n_items");
  check_ratings(train, n_users, n_items, "train");
  if (validation) check_ratings(*validation, n_users, n_items, "validation");
  if (opts.ensemble > 1)
    return train_ensemble(train, n_users, n_items, opts, progress, history, validation, dist);

  const bool binary = opts.binary;
  const bool wals = opts.solver == "wals";
  const bool per_rating = opts.regularization == "per_rating";
  const int64_t f = opts.features;
  CfHistory local;
  CfHistory& h = history ? *history : local;
  h = CfHistory{};

  // Targets: stars, or 0/1 labels. Under mean normalisation the regression target is y − μ_i; the
  // binary model keeps 0/1 targets and adds μ_i inside the sigmoid instead.
  std::vector<float> y = binary ? cf_labels(train.value, opts.binary_threshold) : train.value;
  CfModel model(n_users, n_items, opts);
  // WALS scores are preferences, not stars: never clipped, never offset by item means.
  if (!binary && !wals && train.size() > 0) {
    const auto [lo, hi] = std::minmax_element(train.value.begin(), train.value.end());
    model.set_rating_range(*lo, *hi);
  }
  std::vector<float>& mu = model.item_offset();
  if (opts.mean_normalize && !wals) mu = item_offsets(train, y, n_items, binary);
  if (!binary)
    for (size_t k = 0; k < y.size(); ++k) y[k] -= mu[train.item[k]];
  std::vector<float> val_target;
  if (validation)
    val_target = binary ? cf_labels(validation->value, opts.binary_threshold) : validation->value;

  Rng rng(opts.seed);
  const auto t0 = std::chrono::steady_clock::now();
  auto report = [&](int64_t it, double loss) {
    if (progress)
      progress({"cf " + opts.solver, static_cast<uint64_t>(it + 1),
                static_cast<uint64_t>(opts.iterations), "iterations", loss_text(loss, h)});
  };

  if (wals) {
    WalsSolver solver(train, n_users, n_items, opts, rng);
    for (int64_t it = 0; it < opts.iterations; ++it) {
      solver.sweep();
      h.loss.push_back(solver.loss());
      if (validation) h.validation.push_back(solver.validation_rmse(*validation));
      report(it, h.loss.back());
    }
    model.user_weights() = solver.user_factors();
    model.item_features() = solver.item_factors();
  } else if (opts.solver == "als") {
    std::vector<float>& W = model.user_weights();
    std::vector<float>& b = model.user_bias();
    std::vector<float>& X = model.item_features();
    X = normal_init(X.size(), opts.init_std, rng);
    const std::vector<float> zero_mu(static_cast<size_t>(n_items), 0.f);
    // The learned item bias c is the users' offset; the model's μ becomes normalisation + c.
    std::vector<float> c(static_cast<size_t>(n_items), 0.f);
    const std::vector<float> mu0 = mu;
    for (int64_t it = 0; it < opts.iterations; ++it) {
      // y is already normalised, so the solves see no offset but c.
      ridge_fit_users(train, y, n_users, X.data(), c.data(), f, opts.lambda, per_rating, W.data(),
                      b.data(), opts.bias_lambda);
      ridge_fit_items(train, y, n_items, W.data(), b.data(), zero_mu.data(), f, opts.lambda,
                      per_rating, X.data(), opts.item_bias ? c.data() : nullptr, opts.bias_lambda);
      for (int32_t i = 0; i < n_items; ++i) mu[i] = mu0[i] + c[i];
      h.loss.push_back(cf_cost(model, train));
      if (validation)
        h.validation.push_back(validation_metric(W.data(), b.data(), X.data(), mu.data(), f, false,
                                                 model.rating_min(), model.rating_max(),
                                                 *validation, val_target, ranks));
      report(it, h.loss.back());
    }
  } else if (opts.solver == "gibbs") {
    GibbsSampler sampler(train, y, n_users, n_items, opts);
    // Running sums of the kept samples' validation predictions: the curve of the averaged model.
    std::vector<double> val_sum(validation ? validation->size() : 0, 0.0);
    for (int64_t it = 0; it < opts.iterations; ++it) {
      sampler.sweep();
      // The current sample's data term ½Σ(ŷ − y)²: the chain's fit, for the progress line.
      double J = 0;
      for (size_t r = 0; r < train.size(); ++r) {
        const double e = sampler.predict_current(train.user[r], train.item[r]) - y[r];
        J += 0.5 * e * e;
      }
      h.loss.push_back(J);
      if (validation && validation->size() > 0) {
        const int64_t kept = sampler.samples_kept();
        double acc = 0;
        for (size_t r = 0; r < validation->size(); ++r) {
          const int32_t u = validation->user[r], i = validation->item[r];
          const double z = sampler.predict_current(u, i);
          double p = z;
          if (kept > 0) {
            val_sum[r] += z;
            p = val_sum[r] / static_cast<double>(kept);
          }
          p = std::clamp(p + mu[i], static_cast<double>(model.rating_min()),
                         static_cast<double>(model.rating_max()));
          acc += (p - val_target[r]) * (p - val_target[r]);
        }
        h.validation.push_back(std::sqrt(acc / static_cast<double>(validation->size())));
      }
      report(it, h.loss.back());
    }
    std::vector<float> c;
    sampler.average(model.user_weights(), model.user_bias(), model.item_features(), c);
    for (int32_t i = 0; i < n_items; ++i) mu[i] += c[i];
  } else {
    // The lab initialises W, X and b from N(0, 1) (init_std scales that). Users and items without
    // training ratings start at 0 and stay there (zero gradient, and Adam's step for a zero
    // gradient is 0), so an unrated user is predicted μ_i exactly.
    std::vector<float> W0 = normal_init(static_cast<size_t>(n_users) * f, opts.init_std, rng);
    std::vector<float> X0 = normal_init(static_cast<size_t>(n_items) * f, opts.init_std, rng);
    std::vector<float> b0 = normal_init(static_cast<size_t>(n_users), opts.init_std, rng);
    std::vector<char> user_rated(static_cast<size_t>(n_users), 0),
        item_rated(static_cast<size_t>(n_items), 0);
    for (size_t k = 0; k < train.size(); ++k) {
      user_rated[train.user[k]] = 1;
      item_rated[train.item[k]] = 1;
    }
    for (int32_t u = 0; u < n_users; ++u)
      if (!user_rated[u]) {
        std::fill(W0.begin() + u * f, W0.begin() + (u + 1) * f, 0.f);
        b0[u] = 0.f;
      }
    for (int32_t i = 0; i < n_items; ++i)
      if (!item_rated[i]) std::fill(X0.begin() + i * f, X0.begin() + (i + 1) * f, 0.f);
    torch::Tensor W = to_param(W0, {n_users, f});
    torch::Tensor X = to_param(X0, {n_items, f});
    torch::Tensor b = to_param(b0, {n_users});
    // Distributed: this rank's contiguous shard of the ratings (all of them in one process).
    const int64_t n_train = static_cast<int64_t>(train.size());
    const int64_t r0 = ranks.shard_begin(n_train), r1 = ranks.shard_end(n_train);
    Ratings shard;
    std::vector<float> shard_y;
    if (ranks.distributed()) {
      shard.user.assign(train.user.begin() + r0, train.user.begin() + r1);
      shard.item.assign(train.item.begin() + r0, train.item.begin() + r1);
      shard.value.assign(train.value.begin() + r0, train.value.begin() + r1);
      shard_y.assign(y.begin() + r0, y.begin() + r1);
    }
    const Ratings& mine = ranks.distributed() ? shard : train;
    const std::vector<float>& mine_y = ranks.distributed() ? shard_y : y;
    const SparsePairs pairs(mine.user, mine.item, n_users, n_items);
    const Targets targets = make_targets(mine, mine_y, mu, binary);
    // Rating counts of per_rating come from all the ratings, not the shard.
    const Penalty penalty(train, n_users, n_items, per_rating);
    // The penalty's gradient is added once: by rank 0.
    const double penalty_weight = ranks.is_root() ? 0.5 * opts.lambda : 0.0;
    std::vector<float> flat_grad;  // W, X, b gradients back to back: the all-reduce buckets
    if (ranks.distributed())
      flat_grad.resize(static_cast<size_t>(W.numel() + X.numel() + b.numel()));
    torch::optim::Adam adam({W, X, b}, torch::optim::AdamOptions(opts.lr));
    for (int64_t it = 0; it < opts.iterations; ++it) {
      adam.zero_grad();
      const torch::Tensor loss =
          data_loss(sparse_dot(W, X, b, pairs), targets, binary) + penalty_weight * penalty(W, X);
      loss.backward();
      if (!ranks.distributed()) {
        h.loss.push_back(loss.item<double>());
      } else {
        float* out = flat_grad.data();
        for (torch::Tensor* p : {&W, &X, &b}) {
          if (!p->grad().defined()) p->mutable_grad() = torch::zeros_like(*p);
          const torch::Tensor g = p->grad().contiguous();
          std::copy(g.data_ptr<float>(), g.data_ptr<float>() + g.numel(), out);
          out += g.numel();
        }
        ranks.all_reduce_sum(flat_grad.data(), static_cast<int64_t>(flat_grad.size()));
        const float* in = flat_grad.data();
        for (torch::Tensor* p : {&W, &X, &b}) {
          torch::Tensor g = p->mutable_grad();
          std::copy(in, in + g.numel(), g.data_ptr<float>());
          in += g.numel();
        }
        double J = loss.item<double>();
        ranks.all_reduce_sum(&J, 1);
        h.loss.push_back(J);
      }
      adam.step();
      if (validation) {
        torch::NoGradGuard no_grad;
        h.validation.push_back(validation_metric(
            W.data_ptr<float>(), b.data_ptr<float>(), X.data_ptr<float>(), mu.data(), f, binary,
            model.rating_min(), model.rating_max(), *validation, val_target, ranks));
      }
      report(it, h.loss.back());
    }
    copy_out(W, model.user_weights());
    copy_out(X, model.item_features());
    copy_out(b, model.user_bias());
  }
  h.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return model;
}

CfModel train_cf(const Ratings& train, int32_t n_users, int32_t n_items, const CfOptions& opts,
                 const ProgressFn& progress, std::vector<double>* loss_history) {
  CfHistory h;
  CfModel m = train_cf(train, n_users, n_items, opts, progress, &h, nullptr);
  if (loss_history) *loss_history = std::move(h.loss);
  return m;
}

double cf_cost(const CfModel& model, const Ratings& ratings) {
  const int64_t f = model.features();
  check_ratings(ratings, model.num_users(), model.num_items(), "cf_cost");
  const CfOptions& cf = model.options();
  torch::NoGradGuard no_grad;
  const torch::Tensor W = torch::from_blob(const_cast<float*>(model.user_weights().data()),
                                           {model.num_users(), f}, torch::kFloat32);
  const torch::Tensor X = torch::from_blob(const_cast<float*>(model.item_features().data()),
                                           {model.num_items(), f}, torch::kFloat32);
  const torch::Tensor b = torch::from_blob(const_cast<float*>(model.user_bias().data()),
                                           {model.num_users()}, torch::kFloat32);
  std::vector<float> y = cf.binary ? cf_labels(ratings.value, cf.binary_threshold) : ratings.value;
  const std::vector<float>& mu = model.item_offset();
  if (!cf.binary)
    for (size_t k = 0; k < y.size(); ++k) y[k] -= mu[ratings.item[k]];
  const SparsePairs pairs(ratings.user, ratings.item, model.num_users(), model.num_items());
  const torch::Tensor z = sparse_dot(W, X, b, pairs);
  double J = data_loss(z.to(torch::kFloat64), make_targets(ratings, y, mu, cf.binary), cf.binary)
                 .item<double>();
  J += 0.5 * cf.lambda *
       Penalty(ratings, model.num_users(), model.num_items(), cf.regularization == "per_rating")(
           W.to(torch::kFloat64), X.to(torch::kFloat64))
           .item<double>();
  return J;
}

}  // namespace towerrec

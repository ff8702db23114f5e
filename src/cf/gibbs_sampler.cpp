#include "cf/gibbs_sampler.h"

#include <algorithm>
#include <cmath>

#include <ATen/Parallel.h>
#include <Eigen/Dense>

#include "cf/ridge_solve.h"
#include "core/error.h"
#include "data/dataset.h"

namespace towerrec {
namespace {

using MatD = Eigen::MatrixXd;
using VecD = Eigen::VectorXd;

// Normal-Wishart hyperprior of the BPMF paper: μ0 = 0, β0 = 2, W0 = I, ν0 = features.
constexpr double kBeta0 = 2.0;

// Gamma(shape a, scale 1) by Marsaglia & Tsang (2000), from Rng's fixed-arithmetic draws so the
// chain is the same with every standard library.
double sample_gamma(Rng& rng, double a) {
  if (a < 1.0) return sample_gamma(rng, a + 1.0) * std::pow(rng.uniform_pos(), 1.0 / a);
  const double d = a - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    const double z = rng.normal();
    double v = 1.0 + c * z;
    if (v <= 0) continue;
    v = v * v * v;
    if (std::log(rng.uniform_pos()) < 0.5 * z * z + d - d * v + d * std::log(v)) return d * v;
  }
}

// The Gaussian prior of one side's factor rows: mean μ and precision Λ.
struct Prior {
  VecD mean;
  MatD precision;
};

// Draws (μ, Λ) from the Normal-Wishart conditional given the factor rows of `active` rows of F
// [rows, f] (rated rows only: unrated rows are held at zero and carry no information).
Prior sample_prior(const std::vector<float>& F, const std::vector<char>& active, int64_t f,
                   Rng& rng) {
  const int64_t rows = static_cast<int64_t>(active.size());
  VecD mean = VecD::Zero(f);
  MatD scatter = MatD::Zero(f, f);
  double n = 0;
  for (int64_t r = 0; r < rows; ++r) {
    if (!active[r]) continue;
    mean += Eigen::Map<const Eigen::VectorXf>(F.data() + r * f, f).cast<double>();
    n += 1;
  }
  if (n > 0) mean /= n;
  for (int64_t r = 0; r < rows; ++r) {
    if (!active[r]) continue;
    const VecD d = Eigen::Map<const Eigen::VectorXf>(F.data() + r * f, f).cast<double>() - mean;
    scatter.noalias() += d * d.transpose();
  }
  const double beta_n = kBeta0 + n, nu_n = static_cast<double>(f) + n;
  const VecD mu_n = (n / beta_n) * mean;  // μ0 = 0
  MatD w_inv = MatD::Identity(f, f) + scatter + (kBeta0 * n / beta_n) * mean * mean.transpose();
  const MatD w_n = w_inv.llt().solve(MatD::Identity(f, f));
  // Wishart(W_n, ν_n) by the Bartlett decomposition: Λ = L A Aᵀ Lᵀ with W_n = L Lᵀ, A lower
  // triangular, A_kk = sqrt(χ²(ν_n − k)), A_jk ~ N(0, 1) below the diagonal.
  const MatD L = w_n.llt().matrixL();
  MatD A = MatD::Zero(f, f);
  for (int64_t k = 0; k < f; ++k) {
    A(k, k) = std::sqrt(2.0 * sample_gamma(rng, 0.5 * (nu_n - static_cast<double>(k))));
    for (int64_t j = k + 1; j < f; ++j) A(j, k) = rng.normal();
  }
  const MatD LA = L * A;
  Prior p;
  p.precision = LA * LA.transpose();
  // μ ~ N(μ_n, (β_n Λ)⁻¹): μ_n + U⁻¹ z where β_n Λ = Uᵀ U.
  VecD z(f);
  for (int64_t k = 0; k < f; ++k) z(k) = rng.normal();
  const Eigen::LLT<MatD> llt(beta_n * p.precision);
  p.mean = mu_n + llt.matrixU().solve(z);
  return p;
}

// Grain for at::parallel_for (a row costs O(n f² + f³)).
constexpr int64_t kSampleGrain = 16;

// One side's rows (users or items): row r's ratings are order[start[r] .. start[r+1]); `other` are
// the other side's indices per rating. Samples every rated row's [factors, bias] from its Gaussian
// conditional: precision P + α Σ d dᵀ, mean (P + α Σ d dᵀ)⁻¹ (α Σ d t + P m), where d = [x, 1]
// (just x without a bias), t = y − other bias, and P = blockdiag(Λ, bias_lambda), m = [μ, 0].
// `noise` holds (f + 1) standard normals per row.
void sample_rows(int32_t n_rows, const std::vector<int64_t>& start,
                 const std::vector<int32_t>& order, const std::vector<int32_t>& other,
                 const std::vector<float>& y, const std::vector<float>& other_f,
                 const std::vector<float>& other_bias, int64_t f, bool has_bias, double alpha,
                 double bias_lambda, const Prior& prior, const std::vector<double>& noise,
                 std::vector<float>& F, std::vector<float>& bias) {
  const int64_t m = f + (has_bias ? 1 : 0);
  const VecD prior_rhs = prior.precision * prior.mean;
  at::parallel_for(0, n_rows, kSampleGrain, [&](int64_t begin, int64_t end) {
    MatD A(m, m);
    VecD rhs(m), d(m);
    for (int64_t r = begin; r < end; ++r) {
      float* out = F.data() + r * f;
      if (start[r] == start[r + 1]) {
        std::fill(out, out + f, 0.f);
        if (has_bias) bias[r] = 0.f;
        continue;
      }
      A.setZero();
      rhs.setZero();
      for (int64_t k = start[r]; k < start[r + 1]; ++k) {
        const int32_t row = order[k];
        const int32_t other_index = other[row];
        for (int64_t j = 0; j < f; ++j) d(j) = other_f[static_cast<int64_t>(other_index) * f + j];
        if (has_bias) d(f) = 1.0;
        A.selfadjointView<Eigen::Lower>().rankUpdate(d, alpha);
        rhs += (alpha * (y[row] - other_bias[other_index])) * d;
      }
      // Only the lower triangle is filled: LLT reads no other.
      A.topLeftCorner(f, f) += prior.precision;
      rhs.head(f) += prior_rhs;
      if (has_bias) A(f, f) += bias_lambda;
      const Eigen::LLT<MatD> llt(A);
      TOWERREC_CHECK(llt.info() == Eigen::Success);
      const VecD z = Eigen::Map<const VecD>(noise.data() + r * (f + 1), m);
      const VecD theta = llt.solve(rhs) + llt.matrixU().solve(z);
      for (int64_t j = 0; j < f; ++j) out[j] = static_cast<float>(theta(j));
      if (has_bias) bias[r] = static_cast<float>(theta(f));
    }
  });
}

std::vector<char> rated(const std::vector<int64_t>& start) {
  std::vector<char> a(start.size() - 1);
  for (size_t r = 0; r + 1 < start.size(); ++r) a[r] = start[r + 1] > start[r];
  return a;
}

std::vector<double> normals(size_t n, Rng& rng) {
  std::vector<double> z(n);
  for (auto& v : z) v = rng.normal();
  return z;
}

}  // namespace

GibbsSampler::GibbsSampler(const Ratings& train, const std::vector<float>& y, int32_t n_users,
                           int32_t n_items, const CfOptions& opts)
    : n_users_(n_users),
      n_items_(n_items),
      f_(opts.features),
      opts_(opts),
      train_(train),
      y_(y),
      rng_(opts.seed) {
  TOWERREC_CHECK(y.size() == train.size() && train.user.size() == train.size() &&
                 train.item.size() == train.size());
  TOWERREC_CHECK(opts.burn_in >= 0 && opts.burn_in < opts.iterations && opts.features >= 1 &&
                 opts.thin >= 1 && opts.thin <= opts.iterations - opts.burn_in);
  RatingGroups gu = group_ratings(train.user, n_users);
  RatingGroups gi = group_ratings(train.item, n_items);
  user_start_ = std::move(gu.start);
  user_order_ = std::move(gu.order);
  item_start_ = std::move(gi.start);
  item_order_ = std::move(gi.order);
  W_.assign(static_cast<size_t>(n_users) * f_, 0.f);
  b_.assign(static_cast<size_t>(n_users), 0.f);
  c_.assign(static_cast<size_t>(n_items), 0.f);
  X_.resize(static_cast<size_t>(n_items) * f_);
  const std::vector<char> item_rated = rated(item_start_);
  for (int32_t i = 0; i < n_items; ++i)
    for (int64_t k = 0; k < f_; ++k)
      X_[i * f_ + k] = item_rated[i] ? static_cast<float>(rng_.normal() * opts.init_std) : 0.f;
  const int64_t kept = (opts.iterations - opts.burn_in) / opts.thin;
  W_keep_.assign(static_cast<size_t>(n_users) * f_ * kept, 0.f);
  X_keep_.assign(static_cast<size_t>(n_items) * f_ * kept, 0.f);
  b_sum_.assign(static_cast<size_t>(n_users), 0.0);
  c_sum_.assign(static_cast<size_t>(n_items), 0.0);
}

void GibbsSampler::sample_users() {
  const Prior prior = sample_prior(W_, rated(user_start_), f_, rng_);
  const std::vector<double> noise = normals(static_cast<size_t>(n_users_) * (f_ + 1), rng_);
  sample_rows(n_users_, user_start_, user_order_, train_.item, y_, X_, c_, f_, true,
              opts_.noise_precision, opts_.bias_lambda, prior, noise, W_, b_);
}

void GibbsSampler::sample_items() {
  const Prior prior = sample_prior(X_, rated(item_start_), f_, rng_);
  const std::vector<double> noise = normals(static_cast<size_t>(n_items_) * (f_ + 1), rng_);
  sample_rows(n_items_, item_start_, item_order_, train_.user, y_, W_, b_, f_, opts_.item_bias,
              opts_.noise_precision, opts_.bias_lambda, prior, noise, X_, c_);
}

void GibbsSampler::sweep() {
  TOWERREC_CHECK(sweeps_ < opts_.iterations);
  sample_users();
  sample_items();
  ++sweeps_;
  if (sweeps_ <= opts_.burn_in || (sweeps_ - opts_.burn_in) % opts_.thin != 0) return;
  const int64_t width = f_ * ((opts_.iterations - opts_.burn_in) / opts_.thin), block = kept_ * f_;
  for (int32_t u = 0; u < n_users_; ++u) {
    std::copy(W_.begin() + u * f_, W_.begin() + (u + 1) * f_, W_keep_.begin() + u * width + block);
    b_sum_[u] += b_[u];
  }
  for (int32_t i = 0; i < n_items_; ++i) {
    std::copy(X_.begin() + i * f_, X_.begin() + (i + 1) * f_, X_keep_.begin() + i * width + block);
    c_sum_[i] += c_[i];
  }
  ++kept_;
}

void GibbsSampler::average(std::vector<float>& W, std::vector<float>& b, std::vector<float>& X,
                           std::vector<float>& c) const {
  const float scale = kept_ > 0 ? 1.f / static_cast<float>(kept_) : 0.f;
  W.resize(W_keep_.size());
  for (size_t k = 0; k < W.size(); ++k) W[k] = W_keep_[k] * scale;
  X = X_keep_;
  b.resize(b_sum_.size());
  for (size_t u = 0; u < b.size(); ++u) b[u] = static_cast<float>(b_sum_[u] * scale);
  c.resize(c_sum_.size());
  for (size_t i = 0; i < c.size(); ++i) c[i] = static_cast<float>(c_sum_[i] * scale);
}

double GibbsSampler::predict_current(int32_t user, int32_t item) const {
  double z = static_cast<double>(b_[user]) + c_[item];
  for (int64_t k = 0; k < f_; ++k)
    z += static_cast<double>(W_[user * f_ + k]) * X_[static_cast<int64_t>(item) * f_ + k];
  return z;
}

}  // namespace towerrec

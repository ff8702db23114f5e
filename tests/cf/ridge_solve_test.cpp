#include "cf/ridge_solve.h"

#include <cmath>

#include <catch2/catch.hpp>

#include "data/dataset.h"

using namespace towerrec;

TEST_CASE("ridge_fit_user: closed form with an unpenalised bias", "[cf]") {
  // f = 1, x = 1, 2, 3. Normal equations [[Σx² + λ, Σx], [Σx, n]] θ = [Σxy, Σy].
  const std::vector<float> X = {1, 2, 3};
  const std::vector<int32_t> items = {0, 1, 2};
  const std::vector<float> y = {2, 4, 6};
  float w = 0, b = 0;
  ridge_fit_user(X.data(), 1, nullptr, items.data(), y.data(), 3, 0.0, &w, &b);
  CHECK(w == Approx(2));
  CHECK(b == Approx(0).margin(1e-6));
  // λ = 1: [[15, 6], [6, 3]] θ = [28, 12] -> w = b = 4/3.
  ridge_fit_user(X.data(), 1, nullptr, items.data(), y.data(), 3, 1.0, &w, &b);
  CHECK(w == Approx(4.0 / 3));
  CHECK(b == Approx(4.0 / 3));
  // An offset per item is subtracted from the targets first.
  const std::vector<float> off = {1, 1, 1};
  ridge_fit_user(X.data(), 1, off.data(), items.data(), y.data(), 3, 0.0, &w, &b);
  CHECK(w == Approx(2));
  CHECK(b == Approx(-1));
  // No ratings: zeros. One rating, λ = 0, two unknowns: the minimum-norm solution still fits it.
  ridge_fit_user(X.data(), 1, nullptr, items.data(), y.data(), 0, 1.0, &w, &b);
  CHECK((w == 0.f && b == 0.f));
  ridge_fit_user(X.data(), 1, nullptr, items.data() + 2, y.data() + 2, 1, 0.0, &w, &b);
  CHECK(3 * w + b == Approx(6));
}

TEST_CASE("logistic_fit_user: the gradient vanishes at the solution", "[cf]") {
  const std::vector<float> X = {1, 0, 0, 1, 1, 1, -1, 0.5f};  // 4 items, f = 2
  const std::vector<int32_t> items = {0, 1, 2, 3, 0};
  const std::vector<float> y = {1, 0, 1, 0, 0};
  const double lambda = 0.3;
  float w[2], b;
  logistic_fit_user(X.data(), 2, nullptr, items.data(), y.data(), 5, lambda, w, &b);
  double g0 = lambda * w[0], g1 = lambda * w[1], gb = 1e-3 * b;
  for (int r = 0; r < 5; ++r) {
    const float* x = X.data() + items[r] * 2;
    const double p = 1 / (1 + std::exp(-(w[0] * x[0] + w[1] * x[1] + b)));
    g0 += (p - y[r]) * x[0];
    g1 += (p - y[r]) * x[1];
    gb += p - y[r];
  }
  CHECK(std::abs(g0) < 1e-5);
  CHECK(std::abs(g1) < 1e-5);
  CHECK(std::abs(gb) < 1e-5);
}

TEST_CASE("ridge_fit_users / ridge_fit_items: one solve per user and per item", "[cf]") {
  Ratings r;
  r.push_back(0, 0, 2, 0);
  r.push_back(0, 1, 4, 0);
  r.push_back(0, 2, 6, 0);
  r.push_back(1, 2, 1, 0);  // user 1: one rating; user 2: none
  const std::vector<float> X = {1, 2, 3};
  std::vector<float> W(3), b(3);
  ridge_fit_users(r, r.value, 3, X.data(), nullptr, 1, 1.0, false, W.data(), b.data());
  CHECK(W[0] == Approx(4.0 / 3));
  CHECK(b[0] == Approx(4.0 / 3));
  CHECK(3 * W[1] + b[1] == Approx(1));  // λ shrinks w, the free bias takes up the rest
  CHECK((W[2] == 0.f && b[2] == 0.f));
  // Items given W, b: item 2 is rated by users 0 and 1.
  std::vector<float> Xo(3);
  const std::vector<float> Wf = {2, 1, 5}, bf = {0, 1, 0};
  ridge_fit_items(r, r.value, 3, Wf.data(), bf.data(), nullptr, 1, 0.0, false, Xo.data());
  CHECK(Xo[0] == Approx(1));
  CHECK(Xo[1] == Approx(2));
  // min (2x - 6)² + (x + 1 - 1)² -> x = 12/5
  CHECK(Xo[2] == Approx(12.0 / 5));
}

TEST_CASE("ridge solves: bias_lambda penalises the user bias, and items can learn a bias", "[cf]") {
  const std::vector<float> X = {1, 2, 3};
  const std::vector<int32_t> items = {0, 1, 2};
  const std::vector<float> y = {2, 4, 6};
  float w = 0, b = 0;
  // λ = 1, bias_lambda = 3: [[15, 6], [6, 3 + 3]] θ = [28, 12] -> w = 16/9, b = 2/9.
  ridge_fit_user(X.data(), 1, nullptr, items.data(), y.data(), 3, 1.0, &w, &b, 3.0);
  CHECK(w == Approx(16.0 / 9));
  CHECK(b == Approx(2.0 / 9));

  Ratings r;
  r.push_back(0, 2, 6, 0);
  r.push_back(1, 2, 1, 0);
  const std::vector<float> Wf = {2, 1}, bf = {0, 1};
  std::vector<float> Xo(3, 9.f), c(3, 9.f);
  // Item 2, design [[2, 1], [1, 1]], targets y − b = [6, 0]: exact fit x = 6, c = −6.
  ridge_fit_items(r, r.value, 3, Wf.data(), bf.data(), nullptr, 1, 0.0, false, Xo.data(), c.data(),
                  0.0);
  CHECK(Xo[2] == Approx(6));
  CHECK(c[2] == Approx(-6));
  CHECK((Xo[0] == 0.f && c[0] == 0.f));  // unrated items: zeros
  // bias_lambda = 1: [[5, 3], [3, 2 + 1]] θ = [12, 6] -> x = 3, c = −1.
  ridge_fit_items(r, r.value, 3, Wf.data(), bf.data(), nullptr, 1, 0.0, false, Xo.data(), c.data(),
                  1.0);
  CHECK(Xo[2] == Approx(3));
  CHECK(c[2] == Approx(-1));
}

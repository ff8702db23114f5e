#include "eval/binary_metrics.h"

#include <cmath>

#include <catch2/catch.hpp>

#include "core/error.h"

using namespace towerrec;

TEST_CASE("auc: perfect, reversed, ties and a hand-counted case", "[eval]") {
  CHECK(auc({0, 0, 1, 1}, {0.1f, 0.2f, 0.8f, 0.9f}) == 1.0);
  CHECK(auc({1, 1, 0, 0}, {0.1f, 0.2f, 0.8f, 0.9f}) == 0.0);
  CHECK(auc({0, 1, 0, 1}, {0.5f, 0.5f, 0.5f, 0.5f}) == 0.5);
  // positives 0.4, 0.8; negatives 0.1, 0.5, 0.8: pairs won 1 + 2.5 of 6.
  CHECK(auc({1, 1, 0, 0, 0}, {0.4f, 0.8f, 0.1f, 0.5f, 0.8f}) == Approx(3.5 / 6));
  CHECK(std::isnan(auc({1, 1}, {0.2f, 0.3f})));
  CHECK_THROWS_WITH(auc({1, 2}, {0.2f, 0.3f}), "auc: expected labels 0 or 1, found 2.000000");
  CHECK_THROWS_WITH(auc({1}, {0.2f, 0.3f}), "auc: 1 labels but 2 scores");
}

TEST_CASE("log_loss: matches the definition and stays finite", "[eval]") {
  CHECK(log_loss({1, 0}, {0.8f, 0.4f}) ==
        Approx(-(std::log(0.8) + std::log(0.6)) / 2).epsilon(1e-6));
  CHECK(log_loss({1}, {0.f}) == Approx(-std::log(1e-7)));
  CHECK(log_loss({}, {}) == 0.0);
  CHECK_THROWS_WITH(log_loss({1, 0}, {0.5f}), "log_loss: 2 labels but 1 scores");
}

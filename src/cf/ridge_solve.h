// Closed-form per-row regressions on fixed features: the per-user linear regression of the course
// (learn w, b for each user given item features X), its mirror image for items (learn x given W,
// b), and the logistic version used to fold a new user into a binary model. Eigen only; no torch.
#pragma once

#include <cstdint>
#include <vector>

namespace towerrec {

struct Ratings;

// For one user: minimises ½Σ_r (w·x_{item[r]} + b + offset[item[r]] − y[r])² + λ/2‖w‖² +
// bias_lambda/2 b² over w, b (by default the bias is not penalised). `X` is row-major [n_items, f];
// `offset` is [n_items] or nullptr (zeros). Writes w[0..f) and *b. No ratings: w = 0, b = 0. λ = 0
// with fewer ratings than unknowns returns the minimum-norm solution.
void ridge_fit_user(const float* X, int64_t f, const float* offset, const int32_t* items,
                    const float* y, int64_t n, double lambda, float* w, float* b,
                    double bias_lambda = 0);

// Logistic version for labels y in {0, 1}: minimises Σ BCE(sigmoid(w·x + b + offset), y) + λ/2‖w‖²
// by Newton steps (a tiny ridge on b keeps all-0 or all-1 labels finite).
void logistic_fit_user(const float* X, int64_t f, const float* offset, const int32_t* items,
                       const float* y, int64_t n, double lambda, float* w, float* b);

// Ratings grouped by one side: rows of group g are order[start[g] .. start[g+1]).
struct RatingGroups {
  std::vector<int64_t> start;  // [groups + 1]
  std::vector<int32_t> order;  // rating row indices
};
RatingGroups group_ratings(const std::vector<int32_t>& key, int32_t groups);

// Per-user ridge regression for every user on fixed item features X [n_items, f] (row-major): fills
// W [n_users, f] and b [n_users]. `y` are the (already normalised) targets of `train`, `offset` as
// above. per_rating: user u's penalty is λ·n_u (ALS-WR) instead of λ. Runs on torch's intra-op
// thread pool (at::parallel_for). bias_lambda penalises b (never scaled by the rating count).
void ridge_fit_users(const Ratings& train, const std::vector<float>& y, int32_t n_users,
                     const float* X, const float* offset, int64_t f, double lambda, bool per_rating,
                     float* W, float* b, double bias_lambda = 0);

// The item half of ALS: for each item, x_i = argmin ½Σ_u (w_u·x + b_u + offset_i − y)² + λ/2‖x‖²
// with W, b fixed (per_rating: λ·n_i). Fills X [n_items, f]. With `c` [n_items] non-null, also
// learns an item bias jointly (a trailing 1 in the design, penalty bias_lambda/2 c², never scaled
// by the rating count) and writes it to c.
void ridge_fit_items(const Ratings& train, const std::vector<float>& y, int32_t n_items,
                     const float* W, const float* b, const float* offset, int64_t f, double lambda,
                     bool per_rating, float* X, float* c = nullptr, double bias_lambda = 0);

}  // namespace towerrec

// EASE^R (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019): the item-item
// weights B = argmin ‖X − XB‖² + λ‖B‖² subject to diag(B) = 0 over the binary user × item matrix X
// of the training split, in closed form:
//   P = (XᵀX + λI)⁻¹,  B_ij = −P_ij / P_jj (i ≠ j),  user u's scores s_u = x_u B = x_u − (P x_u) /
//   diag(P).
// A strong, tuning-light top-N baseline (Dacrema et al., RecSys 2019). Scores rank only; they are
// not ratings.
//
// The inverse is never formed. With at least as many users as items, Eigen's LLT factors the
// item Gram matrix XᵀX + λI (items² doubles). With fewer users (ml-latest-small: 610 users, 9.7k
// items) it factors the user Gram matrix K = XXᵀ + λI instead (users² doubles), by Woodbury:
//   P = (I − Xᵀ K⁻¹ X) / λ,  so  P x_u = (K⁻¹X)ᵀ e_u  and  P_jj = (1 − x_jᵀ K⁻¹ x_j) / λ
// (x_j: item j's column). Both give the same scores up to rounding; memory is
// O(min(users, items)²) plus the ratings.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/progress.h"
#include "eval/ranking_eval.h"

namespace towerrec {

struct Dataset;

class EaseModel {
 public:
  // Fits on `train_rows` of `data` (every rating counts as 1, whatever its value). Throws Error
  // when lambda <= 0 or not finite.
  static EaseModel fit(const Dataset& data, const std::vector<uint32_t>& train_rows, double lambda);

  int32_t num_items() const;
  // "item Gram" or "user Gram (Woodbury)": which matrix was factored.
  const char* side() const;
  // diag(P), [num_items] (exposed for tests).
  const std::vector<double>& p_diagonal() const;
  // Scores for any users of the data (BlockScorer contract, eval/ranking_eval.h); the scorer keeps
  // the factor alive and is safe to call from one thread at a time.
  BlockScorer scorer() const;

 private:
  struct State;
  std::shared_ptr<const State> state_;
};

}  // namespace towerrec

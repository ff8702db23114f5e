// Metrics of the binary (like/click) variant: ROC AUC and log-loss. Torch-free; labels are 0/1 and
// scores are probabilities in (0, 1) (AUC only needs their order).
#pragma once

#include <vector>

namespace towerrec {

// Area under the ROC curve: the probability that a random positive scores above a random negative,
// ties counting ½ (rank statistic, O(n log n)). Throws Error when sizes differ or a label is not
// 0/1; returns NaN when one of the classes is empty.
double auc(const std::vector<float>& labels, const std::vector<float>& scores);

// Mean binary cross-entropy −[y log p + (1 − y) log(1 − p)], p clipped to [1e-7, 1 − 1e-7] so a
// confident mistake costs a large finite amount. Throws Error when sizes differ; 0 for no pairs.
double log_loss(const std::vector<float>& labels, const std::vector<float>& probabilities);

}  // namespace towerrec

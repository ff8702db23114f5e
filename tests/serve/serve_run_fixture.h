// One small trained synthetic run (and its exported towers) shared by the serve tests: 150 users,
// 400 items (many never rated, so "items nobody rated" is exercised), dim 8. Trained once per test
// process into a temporary directory removed at exit.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace towerrec::test {

struct ServeRun {
  std::string run_dir;
  std::string towers_dir;
};

const ServeRun& serve_run();

// Naive reference: every item's dot product with `user` (double), sorted by (score desc, index
// asc), skipping `skip` (sorted).
std::vector<std::pair<double, int64_t>> naive_ranking(const std::vector<float>& items, int64_t dim,
                                                      const float* user,
                                                      const std::vector<int32_t>& skip);

}  // namespace towerrec::test

// bench_cf: iterations per second of the CF trainer (sparse ratings, torch autograd + Adam) on the
// course lab's problem (4,778 movies x 443 users, 39,253 ratings, 100 features). Prints one JSON
// line; scripts/bench_cf runs it next to its Python peer (the lab's dense formulation). Timings
// live here, never in tests.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "cf/cf_lab_new_user.h"
#include "cf/cf_trainer.h"
#include "core/error.h"
#include "data/cf_lab.h"
#include "train/threads.h"

int main(int argc, char** argv) {
  using namespace towerrec;
  if (argc < 2) {
    std::cerr << "usage: towerrec_bench_cf LAB_DIR [ITERATIONS=200] [THREADS=1] [SOLVER=adam]\n";
    return 2;
  }
  try {
    const std::string dir = argv[1];
    CfOptions cf;  // the lab's settings: 100 features, λ = 1, lr 0.1
    cf.iterations = argc > 2 ? std::atoll(argv[2]) : 200;
    const int threads = argc > 3 ? std::atoi(argv[3]) : 1;
    if (argc > 4 && !parse_enum(argv[4], cf.solver)) {
      std::cerr << "towerrec_bench_cf: SOLVER: expected one of: adam, als, gibbs, wals\n";
      return 2;
    }
    set_threads(threads);
    const CfLab lab = read_cf_lab(dir);
    const Ratings r = cf_lab_ratings(lab);
    const int32_t n_users = static_cast<int32_t>(lab.Y.cols()),
                  n_items = static_cast<int32_t>(lab.Y.rows());
    CfOptions warm = cf;
    warm.iterations = 1;
    train_cf(r, n_users, n_items, warm);  // warm-up: allocator, thread pool
    CfHistory h;
    train_cf(r, n_users, n_items, cf, {}, &h);
    nlohmann::json j = {{"impl", std::string("towerrec-sparse-") + enum_name(cf.solver)},
                        {"iterations", cf.iterations},
                        {"seconds", h.seconds},
                        {"iterations_per_second", static_cast<double>(cf.iterations) / h.seconds},
                        {"final_cost", h.loss.back()},
                        {"threads", threads},
                        {"ratings", r.size()}};
    std::cout << j.dump() << "\n";
    return 0;
  } catch (const Error& e) {
    std::cerr << "towerrec_bench_cf: " << e.what() << "\n";
    return 1;
  }
}

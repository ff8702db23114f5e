// Two pieces of work side by side on torch's inter-op pool: how a training step uses a second
// thread (the two towers, the two halves of the softmax's blocks, the two halves of Adam's pass).
// at::parallel_for would not do: its OpenMP pragma lives in a header and this library is not built
// with -fopenmp, so it runs serially here.
#pragma once

#include <functional>

namespace towerrec {

// Runs fn(0) and fn(1): with `parallel` and >= 2 torch threads side by side (fn(1) on torch's
// inter-op pool, fn(0) on the calling thread), otherwise one after the other. The two must write
// disjoint outputs; then the results are the same bits either way. Rethrows fn(0)'s exception,
// else fn(1)'s, after both have finished.
void run_pair(bool parallel, const std::function<void(int)>& fn);

}  // namespace towerrec

// Precompiled header for the torch side of the library and its tests. Deliberately narrow: the
// kernels include only the ATen pieces they use, and measured per file (g++ 12, -O3) the full
// <torch/torch.h> PCH (540 MB) made such files 3x SLOWER to compile (17 s vs 6 s: loading it costs
// more than parsing their headers), while this one (130 MB, 11 s to build) brings them to 2.5-5 s.
// Files that need more (autograd functions, optimisers, TorchScript) include it themselves.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <ATen/Parallel.h>
#include <ATen/core/Tensor.h>
#include <c10/core/InferenceMode.h>

// Precompiled header for the torch side of the library: parsing <torch/torch.h> costs ~20 s per file.
#pragma once
#include <torch/torch.h>

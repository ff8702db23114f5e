// The two-tower model kind (model.kind two_tower) behind ModelKindAdapter: trains the towers (and,
// with model.rating_head separate, the rating towers) per epoch with checkpoints and resumable
// state, and reads model.ckpt (and rating.ckpt) of a finished run back.
#pragma once

#include <memory>

#include "train/model_kind_adapter.h"

namespace towerrec {

std::unique_ptr<ModelKindAdapter> two_tower_adapter();

}  // namespace towerrec

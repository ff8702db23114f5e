// The collaborative-filtering model kinds (model.kind cf) behind ModelKindAdapter: matrix
// factorisation (cf.item_features learned, cf/cf_trainer.h) and the content regression
// (cf.item_features content, cf/content_regression.h). Neither has per-epoch state (no --resume).
#pragma once

#include <memory>

#include "train/model_kind_adapter.h"

namespace towerrec {

std::unique_ptr<ModelKindAdapter> cf_adapter();
std::unique_ptr<ModelKindAdapter> content_regression_adapter();

}  // namespace towerrec

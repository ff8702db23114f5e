// model.* and train.*: the two-tower model's shape and its optimisation (see config/options.h
// for how options structs work).
#pragma once

#include <cstdint>
#include <vector>

#include "config/field.h"
#include "config/option_enum.h"

namespace towerrec {

// model.kind: which model a run trains (train/model_kind_adapter.h).
enum class ModelKind { kTwoTower, kCf };
template <>
struct EnumNames<ModelKind> {
  static constexpr const char* kNames[] = {"two_tower", "cf"};
};

// model.rating_head (ModelOptions::rating_head documents each).
enum class RatingHeadKind { kDot, kLinear, kSeparate };
template <>
struct EnumNames<RatingHeadKind> {
  static constexpr const char* kNames[] = {"dot", "linear", "separate"};
};

// train.loss (TrainOptions::loss documents each).
enum class TrainLoss { kMse, kSoftmax, kJoint };
template <>
struct EnumNames<TrainLoss> {
  static constexpr const char* kNames[] = {"mse", "softmax", "joint"};
};

// train.early_stopping: what early stopping watches.
enum class EarlyStopping { kLoss, kRecall };
template <>
struct EnumNames<EarlyStopping> {
  static constexpr const char* kNames[] = {"loss", "recall"};
};

struct ModelOptions {
  ModelKind kind = ModelKind::kTwoTower;
  std::vector<int64_t> user_hidden = {256, 128};
  std::vector<int64_t> item_hidden = {256, 128};
  int64_t dim = 32;
  // How a (user, item) pair's rating is predicted from the two tower outputs u and v:
  //   "dot"     dot(u, v), the course lab's model;
  //   "linear"  a * dot(u, v) + b + p.u + q.v with learned a, b, p, q (a calibration head of its
  //             own: the ranking loss shapes dot(u, v), the rating loss mostly the head);
  //   "separate" a second pair of towers (same shapes and inputs), the rating model, trained by the
  //             MSE alone on out-of-fold features (features.rating_out_of_fold) after the
  //             retrieval towers (train.loss softmax); rating = dot of the rating towers' outputs.
  //             The two objectives want different features (out-of-fold dense features cost the
  //             softmax recall, their absence costs the MSE its honesty) and pull one dot product
  //             apart; two models need not share either (README "Ranking" has the measurements).
  RatingHeadKind rating_head = RatingHeadKind::kDot;

  template <class V>
  void visit(V& v) {
    v.field("kind", kind, "model kind");
    v.field("user_hidden", user_hidden, "user tower hidden layer sizes");
    v.field("item_hidden", item_hidden, "item tower hidden layer sizes");
    v.field("dim", dim, "output dimension of both towers", Check::ge(1));
    v.field("rating_head", rating_head,
            "rating prediction from the tower outputs u, v: dot = u.v; linear = a u.v + b + p.u + "
            "q.v (learned); separate = the dot of a second pair of towers trained by the mse alone "
            "on out-of-fold features (features.rating_out_of_fold), needs train.loss softmax");
  }
};

struct TrainOptions {
  double lr = 0.001;
  double weight_decay = 0;
  int64_t batch_size = 256;
  int64_t epochs = 30;
  int64_t patience = 3;              // early stopping: epochs without validation improvement
  double validation_fraction = 0.1;  // part of the training split held out for early stopping
  uint64_t seed = 42;
  // Torch intra-op threads; 0 = one per CPU this process may use, shared among torchrun's local
  // ranks (core/parallel.h's resolve_threads). With 2 threads a step runs the two towers, the two
  // halves of the softmax and of Adam side by side: on 2 cores the synthetic demo trained 1.3x and
  // the ML-25M-sized run 1.7x faster than on 1, to the same bits (issue 17; README, Status).
  int64_t threads = 0;
  // What the towers are trained for (train/two_tower_loss.h):
  //   "mse"      (dot or rating head - scaled rating)^2 over every training rating, the course lab;
  //   "softmax"  in-batch sampled softmax over positive pairs (retrieval), logQ-corrected;
  //   "joint"    rating_weight * mse + softmax_weight * softmax.
  TrainLoss loss = TrainLoss::kMse;
  double rating_weight = 1.0;
  double softmax_weight = 1.0;
  double temperature = 0.1;          // softmax logits = dot(u, v) / temperature
  double positive_min_rating = 4.0;  // a training rating >= this is a positive pair for softmax
  int64_t extra_negatives = 0;       // uniformly sampled catalogue items added to every batch
  EarlyStopping early_stopping = EarlyStopping::kLoss;  // loss: validation loss; recall: Recall@K
  // Weight averaging: validation, checkpoints and the kept model use an exponential moving average
  // of the weights over steps (e <- d e + (1 - d) w after every step) instead of the last step's
  // weights; it steadies the epoch-to-epoch swing early stopping picks from. 0 = off.
  double ema_decay = 0;

  template <class V>
  void visit(V& v) {
    v.field("lr", lr, "Adam learning rate", Check::gt(0));
    v.field("weight_decay", weight_decay, "Adam weight decay", Check::ge(0));
    v.field("batch_size", batch_size, "rows per step", Check::ge(1));
    v.field("epochs", epochs, "maximum epochs", Check::ge(1));
    v.field("patience", patience, "early stopping patience in epochs (0 = off)", Check::ge(0));
    v.field("validation_fraction", validation_fraction,
            "fraction of the training split used for validation", Check::range(0, 0.9));
    v.field("seed", seed, "seed for initialisation, shuffling and validation split", Check::ge(0));
    v.field("threads", threads,
            "torch intra-op threads (0: one per CPU, divided among torchrun's local ranks)",
            Check::ge(0));
    v.field("loss", loss,
            "mse: rating regression (the course lab); softmax: in-batch sampled softmax over "
            "positive pairs with logQ correction (retrieval); joint: rating_weight * mse + "
            "softmax_weight * softmax");
    v.field("rating_weight", rating_weight, "weight of the rating (mse) loss in loss: joint",
            Check::ge(0));
    v.field("softmax_weight", softmax_weight, "weight of the softmax loss in loss: joint",
            Check::ge(0));
    v.field("temperature", temperature, "softmax temperature: logits = u.v / temperature",
            Check::gt(0));
    v.field("positive_min_rating", positive_min_rating,
            "lowest training rating that makes a positive pair for the softmax loss", Check::any());
    v.field("extra_negatives", extra_negatives,
            "uniformly sampled catalogue items added as negatives to every softmax batch (mixed "
            "negative sampling)",
            Check::ge(0));
    v.field("early_stopping", early_stopping,
            "what early stopping watches: loss (validation loss) or recall (validation "
            "Recall@eval.k, scored over the catalogue every epoch)");
    v.field("ema_decay", ema_decay,
            "decay of the moving average of the weights that validation, checkpoints and the "
            "kept model use (0 = off: the last step's weights)",
            Check::range(0, 0.9999));
  }
};

}  // namespace towerrec

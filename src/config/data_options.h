// data.* and features.*: where ratings come from, how they are split, and which features are
// built from them (see config/options.h for how options structs work).
#pragma once

#include <cstdint>
#include <string>

#include "config/field.h"
#include "config/option_enum.h"

namespace towerrec {

// Synthetic data from the planted latent model (data/synthetic_model.h,
// data/synthetic_generator.h).
struct SyntheticOptions {
  int64_t users = 2000;
  int64_t items = 1500;
  double ratings_per_user = 60;  // mean; per-user counts vary log-normally around it (min 5)
  int64_t genres = 18;
  int64_t latent_dim = 8;
  double noise = 0.35;          // Gaussian noise std in stars before rounding to half stars
  double zipf = 0.9;            // item popularity exponent
  double personal = 0.3;        // variance share of tastes/traits that features do not explain
  double genre_affinity = 0.5;  // share of a user's items picked through their genre preferences
  uint64_t seed = 7;

  template <class V>
  void visit(V& v) {
    v.field("users", users, "number of users", Check::ge(1));
    v.field("items", items, "number of items", Check::ge(1));
    v.field("ratings_per_user", ratings_per_user, "mean ratings per user", Check::gt(0));
    v.field("genres", genres, "number of genres", Check::range(1, 64));
    v.field("latent_dim", latent_dim, "dimension of the planted taste/trait vectors",
            Check::range(1, 1024));
    v.field("noise", noise, "Gaussian rating noise (stars)", Check::ge(0));
    v.field("zipf", zipf, "Zipf exponent of item popularity", Check::range(0, 5));
    v.field("personal", personal,
            "share of tastes/traits not explained by demographics/genres/year (0 = none, 1 = all)",
            Check::range(0, 1));
    v.field(
        "genre_affinity", genre_affinity,
        "share of rated items chosen by the user's genre preference instead of popularity alone",
        Check::range(0, 1));
    v.field("seed", seed, "generator seed", Check::ge(0));
  }
};

// data.format: the input format of data.dir (data/dataset_reader.h); auto detects it from the
// files present.
enum class DataFormat { kAuto, kMovielens, kMl100k, kMl1m, kContentLab, kCfLab };
template <>
struct EnumNames<DataFormat> {
  static constexpr const char* kNames[] = {"auto", "movielens",   "ml100k",
                                           "ml1m", "content_lab", "cf_lab"};
};

// data.duplicates: a (user, item) pair rated more than once (data/duplicate_ratings.h).
enum class DuplicatePolicy { kLast, kError };
template <>
struct EnumNames<DuplicatePolicy> {
  static constexpr const char* kNames[] = {"last", "error"};
};

struct DataOptions {
  std::string dir;  // dataset directory; empty = generate the synthetic default into the run
  DataFormat format = DataFormat::kAuto;  // detected from the files present unless set
  std::string split = "random:0.2:42";    // see data/split.h for the grammar
  double rating_min = 0.5;
  double rating_max = 5.0;
  // Duplicate (user, item) pairs: keep the last by timestamp, or fail.
  DuplicatePolicy duplicates = DuplicatePolicy::kLast;
  SyntheticOptions synthetic;

  template <class V>
  void visit(V& v) {
    v.field("dir", dir, "dataset directory (empty: generate the synthetic default)");
    v.field("format", format, "input format");
    v.field("split", split,
            "train/test split: random:FRACTION:SEED | temporal:N | ml100k:u1..u5,ua,ub");
    v.field("rating_min", rating_min, "lowest valid rating");
    v.field("rating_max", rating_max, "highest valid rating");
    v.field("duplicates", duplicates, "duplicate (user, item) ratings");
    v.section("synthetic", synthetic, "synthetic generator (used when dir is empty)");
  }
};

struct FeatureOptions {
  double shrinkage = 10;     // item average rating shrunk toward the global mean with this weight
  bool demographics = true;  // use user demographics when the data has them
  bool genre_counts = true;  // per-genre rating counts next to per-genre averages
  int64_t max_categories =
      64;  // categorical demographics with more categories are left out (zip codes)
  int64_t out_of_fold = 5;    // training rows see features without their own fold (0 = off)
  int64_t watched_items = 0;  // user feature: bag of which of the N most-rated items they rated
  int64_t item_ids = 0;       // item feature: a learned id embedding for the N most-rated items
  int64_t rating_out_of_fold = 5;  // model.rating_head separate: the rating towers' out_of_fold

  template <class V>
  void visit(V& v) {
    v.field("shrinkage", shrinkage,
            "prior weight (ratings) pulling item averages to the global mean", Check::ge(0));
    v.field("demographics", demographics, "use user demographics when present");
    v.field("genre_counts", genre_counts, "add per-genre log rating counts to user features");
    v.field("max_categories", max_categories,
            "leave out categorical demographics with more categories than this", Check::ge(1));
    v.field("out_of_fold", out_of_fold,
            "folds for out-of-fold training features: a training rating never sees features that "
            "contain itself (features/out_of_fold.h); 0 = off",
            Check::range(0, 255));
    v.field("watched_items", watched_items,
            "user feature: the bag of which of the N most-rated training items the user rated "
            "(sparse: an embedding-bag sum in the user tower's first layer, each entry weighted "
            "1/sqrt(bag size)); 0 = off",
            Check::ge(0));
    v.field("item_ids", item_ids,
            "item feature: a learned embedding of the item's own id for the N most-rated training "
            "items (the item tower's first layer; rarer and new items rely on content features "
            "alone); 0 = off",
            Check::ge(0));
    v.field("rating_out_of_fold", rating_out_of_fold,
            "model.rating_head separate: out_of_fold for the rating towers' training features "
            "(the retrieval towers use out_of_fold); 0 = off",
            Check::range(0, 255));
  }
};

}  // namespace towerrec

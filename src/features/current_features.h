// Features for data a run did not train on (today's ratings, new users, new items), in the run's
// layout: the columns of features.json in its order, scaled with its scalers, bags over its
// vocabularies. Every user and item of `data` gets a row; ratings-derived columns come from all of
// `data`'s ratings (a user without any gets the cold-start row training gives such a user: count
// 0, the run's global mean). Columns are matched by name, never by position: a genre or a
// demographic category the run did not know is left out (reported in `unknown`, never an error),
// one the data lacks is 0 (its average columns: the user's own average; year and numeric
// demographics: the run's imputed value, with the missing flag set).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/options.h"
#include "features/features.h"

namespace towerrec {

struct Dataset;
struct FittedFeatures;

// A value of the data the run has no column for, and how many entities carry it.
struct UnknownValue {
  std::string name;   // "Anime" (genre) or "occupation=astronaut" (demographic category)
  int64_t count = 0;  // items (genres) or users (categories) carrying it
};

struct CurrentFeatures {
  Features features;  // user_raw/item_raw/user/item over data's users and items, plus the bags
  std::vector<UnknownValue> unknown_genres;
  std::vector<UnknownValue> unknown_categories;

  // One sentence naming every unknown value with its count ("2 genres the run did not know were
  // ignored: Anime (3 items), Western2 (1 item); ..."); empty when there are none.
  std::string warning() const;
};

// `opts` are the run's feature options (shrinkage, genre_counts, demographics). Throws Error when
// `data` has no ratings.
CurrentFeatures build_current_features(const Dataset& data, const FittedFeatures& fitted,
                                       const FeatureOptions& opts);

}  // namespace towerrec

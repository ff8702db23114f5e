#include "serve/retrieval_report_json.h"

#include <nlohmann/json.hpp>

namespace towerrec {

nlohmann::json retrieval_report_json(const RetrievalReport& r) {
  using json = nlohmann::json;
  json out;
  out["embed_seconds"] = r.embed_seconds;
  if (r.index) {
    const RetrievalIndexReport& i = *r.index;
    out["index"] = {{"loaded", i.loaded},
                    {"distinct", i.distinct},
                    {"build_seconds", i.build_seconds},
                    {"memory_mb", i.memory_mb},
                    {"m", i.m},
                    {"ef_construction", i.ef_construction},
                    {"ef_search", i.ef_search}};
  }
  out["users"] = r.users;
  out["rows"] = r.rows;
  out["k"] = r.k;
  out["candidates_per_user"] = r.candidates_per_user;
  const RetrievalGenerators& g = r.generators;
  out["generators"] = {{"last_n", g.last_n},
                       {"per_item_m", g.per_item_m},
                       {"neighbors", enum_name(g.neighbors)},
                       {"top_genres", g.top_genres},
                       {"genre_top", g.genre_top},
                       {"popular", g.popular},
                       {"segment", g.segment},
                       {"segment_popular", g.segment_popular},
                       {"ann", g.ann},
                       {"ann_candidates", g.ann_candidates}};
  out["seed_items_searched"] = r.seed_items_searched;
  out["recall_users"] = r.recall_users;
  out["recall_at_k"] = r.recall_at_k ? json(*r.recall_at_k) : json(nullptr);
  out["recall_at_k_ids"] = r.recall_at_k_ids ? json(*r.recall_at_k_ids) : json(nullptr);
  out["seconds"] = r.seconds;
  out["users_per_s"] = r.users_per_s;
  out["exact_users_per_s"] = r.exact_users_per_s;
  out["threads"] = r.threads;
  return out;
}

}  // namespace towerrec

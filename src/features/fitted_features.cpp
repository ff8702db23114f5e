#include "features/fitted_features.h"

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"

namespace towerrec {
namespace {

using json = nlohmann::json;

[[noreturn]] void bad_key(const std::string& path, const std::string& key,
                          const std::string& expected, const json* found) {
  throw InputError(path, 0,
                   "key '" + key + "': expected " + expected + ", found " +
                       (found ? quote_found(found->dump()) : std::string("no such key")));
}

void read_side(const json& j, const std::string& path, const char* side,
               std::vector<std::string>& names, ColumnScaler& scaler) {
  if (!j.contains(side) || !j[side].is_object())
    bad_key(path, side, "an object with names, mean and scale",
            j.contains(side) ? &j[side] : nullptr);
  const json& s = j[side];
  const std::string key = std::string(side) + ".names";
  if (!s.contains("names") || !s["names"].is_array())
    bad_key(path, key, "an array of column names", s.contains("names") ? &s["names"] : nullptr);
  for (const json& n : s["names"]) {
    if (!n.is_string()) bad_key(path, key, "strings", &n);
    names.push_back(n.get<std::string>());
  }
  try {
    scaler = ColumnScaler::from_json(s);
  } catch (const Error& e) {
    throw InputError(path, 0, std::string("key '") + side + "': " + e.what());
  }
  if (scaler.mean.size() != names.size())
    throw InputError(path, 0,
                     std::string("key '") + side + "': expected " + std::to_string(names.size()) +
                         " means and scales (one per name), found " +
                         std::to_string(scaler.mean.size()));
}

std::vector<int64_t> vocab_ids(const json& j, const std::string& path, const char* key) {
  std::vector<int64_t> ids;
  if (!j.contains(key)) return ids;
  if (!j[key].is_array()) bad_key(path, key, "an array of item ids", &j[key]);
  for (const json& v : j[key]) {
    if (!v.is_number_integer()) bad_key(path, key, "integer item ids", &v);
    ids.push_back(v.get<int64_t>());
  }
  return ids;
}

}  // namespace

FittedFeatures FittedFeatures::from_json(const json& j, const std::string& path) {
  if (!j.is_object()) bad_key(path, "(top level)", "an object", &j);
  FittedFeatures f;
  read_side(j, path, "user", f.user_names, f.user_scaler);
  read_side(j, path, "item", f.item_names, f.item_scaler);
  if (!j.contains("target")) bad_key(path, "target", "{\"min\", \"max\"}", nullptr);
  try {
    f.target = TargetScaler::from_json(j["target"]);
  } catch (const Error& e) {
    throw InputError(path, 0, std::string("key 'target': ") + e.what());
  }
  if (!j.contains("global_mean") || !j["global_mean"].is_number())
    bad_key(path, "global_mean", "a number",
            j.contains("global_mean") ? &j["global_mean"] : nullptr);
  f.global_mean = j["global_mean"].get<double>();
  if (j.contains("imputed")) {
    if (!j["imputed"].is_object()) bad_key(path, "imputed", "an object", &j["imputed"]);
    for (auto it = j["imputed"].begin(); it != j["imputed"].end(); ++it) {
      if (!it.value().is_number()) bad_key(path, "imputed." + it.key(), "a number", &it.value());
      f.imputed[it.key()] = it.value().get<double>();
    }
  }
  f.watched_ids = vocab_ids(j, path, "watched_items");
  f.item_id_ids = vocab_ids(j, path, "item_ids");
  return f;
}

FittedFeatures FittedFeatures::load(const std::string& path) {
  json j;
  try {
    j = json::parse(read_file(path));
  } catch (const json::parse_error& e) {
    throw InputError(path, 0, std::string("expected JSON, found a parse error: ") + e.what());
  }
  return from_json(j, path);
}

}  // namespace towerrec

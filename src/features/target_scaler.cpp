#include "features/target_scaler.h"

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace towerrec {

nlohmann::json TargetScaler::to_json() const { return {{"min", min}, {"max", max}}; }

TargetScaler TargetScaler::from_json(const nlohmann::json& j) {
  TargetScaler t;
  for (const char* key : {"min", "max"}) {
    if (!j.is_object() || !j.contains(key) || !j[key].is_number() ||
        !std::isfinite(j[key].get<double>())) {
      throw Error(std::string("target scaler: key '") + key +
                  "': expected a finite number, found " +
                  (j.is_object() && j.contains(key) ? quote_found(j[key].dump()) : "no such key"));
    }
  }
  t.min = j["min"].get<double>();
  t.max = j["max"].get<double>();
  if (!(t.min < t.max)) {
    throw Error("target scaler: expected min < max, found min " + j["min"].dump() + ", max " +
                j["max"].dump());
  }
  return t;
}

}  // namespace towerrec

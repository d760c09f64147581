#include "restore/existing_object.h"

#include "core/json_fields.h"

namespace stillpoint::restore {

bool same_as_backup(const nlohmann::json& live, const nlohmann::json& wanted) {
  if (!live.is_object() || !wanted.is_object()) return false;
  for (const auto& [key, value] : wanted.items()) {
    if (key == "metadata" || key == "status") continue;
    const auto it = live.find(key);
    if (it == live.end() || *it != value) return false;
  }
  for (const char* field : {"/metadata/labels", "/metadata/annotations"}) {
    const nlohmann::json::json_pointer ptr(field);
    const auto want = core::string_map_at(wanted, ptr);
    const auto have = core::string_map_at(live, ptr);
    for (const auto& [k, v] : want) {
      if (k.rfind("velero.io/", 0) == 0) continue;
      const auto it = have.find(k);
      if (it == have.end() || it->second != v) return false;
    }
  }
  return true;
}

}  // namespace stillpoint::restore

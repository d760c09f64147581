#include "hooks/claim_volumes.h"

#include "core/json_fields.h"

namespace stillpoint::hooks {

std::vector<ClaimVolume> claim_volumes(const nlohmann::json& pod) {
  using nlohmann::json;
  std::vector<ClaimVolume> out;
  const json::json_pointer ptr("/spec/volumes");
  if (!pod.contains(ptr) || !pod.at(ptr).is_array())
    return out;
  for (const json& v : pod.at(ptr)) {
    std::string claim = core::string_at(v, json::json_pointer("/persistentVolumeClaim/claimName"));
    if (claim.empty())
      continue;
    out.push_back({core::string_at(v, json::json_pointer("/name")), std::move(claim)});
  }
  return out;
}

}  // namespace stillpoint::hooks

#include "restore/volume_in_use.h"

#include "core/json_fields.h"

namespace stillpoint::restore {

std::string claim_ref_of(const nlohmann::json& volume) {
  using nlohmann::json;
  const std::string ns = core::string_at(volume, json::json_pointer("/spec/claimRef/namespace"));
  const std::string name = core::string_at(volume, json::json_pointer("/spec/claimRef/name"));
  if (name.empty())
    return "";
  return ns + "/" + name;
}

std::optional<std::string> taken_by_another_claim(const nlohmann::json& prepared,
                                                  const nlohmann::json& live) {
  const std::string holder = claim_ref_of(live);
  const std::string wanted = claim_ref_of(prepared);
  if (holder.empty() || wanted.empty() || holder == wanted)
    return std::nullopt;
  return holder;
}

}  // namespace stillpoint::restore

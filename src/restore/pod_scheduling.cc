#include "restore/pod_scheduling.h"

#include "core/json_fields.h"
#include "hooks/claim_volumes.h"
#include "restore/volume_in_use.h"

namespace stillpoint::restore {
namespace {

using core::string_at;
using nlohmann::json;

const kube::GroupVersionResource kClaims{"", "v1", "persistentvolumeclaims"};
const kube::GroupVersionResource kVolumes{"", "v1", "persistentvolumes"};

// Why `claim` (as read, in namespace `ns`) can never bind, or "".
boost::asio::awaitable<std::string> why_claim_cannot_bind(kube::ClusterApi& cluster,
                                                          const std::string& ns,
                                                          const json& claim) {
  const std::string name = string_at(claim, json::json_pointer("/metadata/name"));
  const std::string volume = string_at(claim, json::json_pointer("/spec/volumeName"));
  if (string_at(claim, json::json_pointer("/status/phase")) == "Bound" || volume.empty()) {
    co_return "";
  }
  const std::string what = "claim " + ns + "/" + name + " cannot bind: ";
  auto pv = co_await cluster.get(kVolumes, "", volume);
  if (!pv) {
    if (pv.error().code == core::ErrorCode::NotFound) {
      co_return what + "it names persistentvolume " + volume + ", which does not exist";
    }
    co_return "";
  }
  const std::string holder = claim_ref_of(*pv);
  const std::string holder_uid = string_at(*pv, json::json_pointer("/spec/claimRef/uid"));
  const std::string uid = string_at(claim, json::json_pointer("/metadata/uid"));
  if (!holder.empty() && holder != ns + "/" + name) {
    co_return what + "persistentvolume " + volume + " is bound to claim " + holder;
  }
  if (!holder.empty() && !holder_uid.empty() && !uid.empty() && holder_uid != uid) {
    co_return what + "persistentvolume " + volume +
        " is still bound to an earlier claim of the same name (uid " + holder_uid +
        "); it must be released first (remove its spec.claimRef)";
  }
  co_return "";
}

}  // namespace

std::optional<std::string> unschedulable_message(const json& pod) {
  const json::json_pointer ptr("/status/conditions");
  if (!pod.contains(ptr) || !pod.at(ptr).is_array())
    return std::nullopt;
  for (const json& c : pod.at(ptr)) {
    if (string_at(c, json::json_pointer("/type")) == "PodScheduled" &&
        string_at(c, json::json_pointer("/status")) == "False" &&
        string_at(c, json::json_pointer("/reason")) == "Unschedulable") {
      return string_at(c, json::json_pointer("/message"));
    }
  }
  return std::nullopt;
}

boost::asio::awaitable<std::optional<std::string>> unbindable_claim(kube::ClusterApi& cluster,
                                                                    const json& pod) {
  const auto scheduler = unschedulable_message(pod);
  if (!scheduler)
    co_return std::nullopt;
  const std::string ns = string_at(pod, json::json_pointer("/metadata/namespace"));
  for (const hooks::ClaimVolume& v : hooks::claim_volumes(pod)) {
    auto claim = co_await cluster.get(kClaims, ns, v.claim);
    if (!claim)
      continue;
    std::string why = co_await why_claim_cannot_bind(cluster, ns, *claim);
    if (!why.empty()) {
      if (!scheduler->empty())
        why += " (the scheduler: " + *scheduler + ")";
      co_return why;
    }
  }
  co_return std::nullopt;
}

}  // namespace stillpoint::restore

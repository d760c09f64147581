#include "server/operation_status.h"

#include <chrono>

#include "catalog/status_schema.h"

namespace stillpoint::server {

using nlohmann::json;

json status_for_object(json status) {
  if (!status.is_object()) return json::object();
  json& results = status["hookResults"];
  if (!results.is_array()) {
    status.erase("hookResults");
    return status;
  }
  if (results.size() > kMaxHookResultsOnObject) {
    json kept = json::array();
    for (int pass = 0; pass < 2 && kept.size() < kMaxHookResultsOnObject; ++pass) {
      for (const json& r : results) {
        const bool succeeded = r.value("result", "") == "Succeeded";
        if ((pass == 0) == succeeded) continue;  // failures on the first pass
        kept.push_back(r);
        if (kept.size() == kMaxHookResultsOnObject) break;
      }
    }
    results = std::move(kept);
  }
  return status;
}

json failed_validation_status(const std::string& reason) {
  return {{"phase", "FailedValidation"},
          {"validationErrors", json::array({reason})},
          {"completionTimestamp", catalog::rfc3339(std::chrono::system_clock::now())}};
}

json failed_status(const std::string& reason) {
  return {{"phase", "Failed"},
          {"failureReason", reason},
          {"completionTimestamp", catalog::rfc3339(std::chrono::system_clock::now())}};
}

boost::asio::awaitable<core::Status> patch_status(kube::ClusterApi& cluster,
                                                  kube::GroupVersionResource gvr,
                                                  const std::string& ns,
                                                  const std::string& name,
                                                  const json& status,
                                                  const std::string& resource_version) {
  gvr.subresource = "status";
  json patch = {{"status", status}};
  if (!resource_version.empty()) patch["metadata"] = {{"resourceVersion", resource_version}};
  auto r = co_await cluster.patch(gvr, ns, name, kube::PatchType::Merge, patch);
  if (!r) co_return core::unexpected(r.error());
  co_return core::ok();
}

bool is_new(const json& object) {
  const json metadata = object.value("metadata", json::object());
  const json annotations = metadata.is_object() ? metadata.value("annotations", json::object())
                                                : json::object();
  if (annotations.is_object() && annotations.contains(kSyncedFromAnnotation)) return false;
  const json status = object.value("status", json::object());
  const json phase = status.is_object() ? status.value("phase", json("")) : json("");
  return phase == "" || phase == "New";
}

}  // namespace stillpoint::server

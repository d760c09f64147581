// The storage object in-use protection controllers (pkg/controller/volume/pvcprotection and
// pvprotection): the `kubernetes.io/pvc-protection` finalizer admission puts on a claim is
// removed once the claim is being deleted and no scheduled pod that has not finished uses it;
// `kubernetes.io/pv-protection` on a volume once the volume is being deleted and is no longer
// Bound. Until then the object stays, with its deletionTimestamp — what a restore that deletes
// and recreates claims meets on a real cluster.
#include "controllers.h"

namespace stillpoint::kubesim {
namespace {

constexpr const char* kClaimFinalizer = "kubernetes.io/pvc-protection";
constexpr const char* kVolumeFinalizer = "kubernetes.io/pv-protection";

bool has_finalizer(const nlohmann::json& obj, const char* finalizer) {
  const nlohmann::json& md = obj["metadata"];
  if (!md.contains("finalizers") || !md["finalizers"].is_array())
    return false;
  for (const auto& f : md["finalizers"]) {
    if (f == finalizer)
      return true;
  }
  return false;
}

// podUsesPVC: only a scheduled pod can hold a claim (the kubelet refuses to start a pod whose
// claim is being deleted); a pod that finished holds nothing.
bool pod_uses_claim(const nlohmann::json& pod, const std::string& claim) {
  const nlohmann::json& spec = pod.contains("spec") ? pod["spec"] : nlohmann::json();
  if (!spec.is_object() || spec.value("nodeName", "").empty())
    return false;
  const std::string phase =
      pod.contains("status") && pod["status"].is_object() ? pod["status"].value("phase", "") : "";
  if (phase == "Succeeded" || phase == "Failed")
    return false;
  if (!spec.contains("volumes") || !spec["volumes"].is_array())
    return false;
  for (const auto& v : spec["volumes"]) {
    if (v.is_object() && v.contains("persistentVolumeClaim") &&
        v["persistentVolumeClaim"].is_object() &&
        v["persistentVolumeClaim"].value("claimName", "") == claim) {
      return true;
    }
  }
  return false;
}

// Drops `finalizer` with a JSON patch guarded by the resourceVersion, as the controller's
// update is; a conflict is retried.
bool remove_finalizer(Controllers& c,
                      const std::string& resource,
                      const std::string& ns,
                      const nlohmann::json& obj,
                      const char* finalizer) {
  nlohmann::json kept = nlohmann::json::array();
  for (const auto& f : obj["metadata"]["finalizers"]) {
    if (f != finalizer)
      kept.push_back(f);
  }
  nlohmann::json patch = {
      {"metadata",
       {{"finalizers", kept}, {"resourceVersion", obj["metadata"].value("resourceVersion", "")}}}};
  Response r = c.call("PATCH", api_path(resource, ns, obj["metadata"].value("name", "")), patch,
                      "application/merge-patch+json");
  return r.status == 200 || r.status == 404;
}

}  // namespace

bool sync_storage_protection(Controllers& c, const std::string& ns, const std::string& name) {
  if (ns.empty()) {
    const Stored* pv = c.store().get("persistentvolumes", "", name);
    if (pv == nullptr)
      return true;
    const nlohmann::json& obj = *pv->object;
    if (!is_deleting(obj) || !has_finalizer(obj, kVolumeFinalizer))
      return true;
    const std::string phase =
        obj.contains("status") && obj["status"].is_object() ? obj["status"].value("phase", "") : "";
    if (phase == "Bound")
      return true;  // the volume's next event brings it back here
    return remove_finalizer(c, "persistentvolumes", "", obj, kVolumeFinalizer);
  }
  const Stored* claim = c.store().get("persistentvolumeclaims", ns, name);
  if (claim == nullptr)
    return true;
  const nlohmann::json& obj = *claim->object;
  if (!is_deleting(obj) || !has_finalizer(obj, kClaimFinalizer))
    return true;
  for (const auto& pod : objects_in(c.store(), "pods", ns)) {
    if (pod_uses_claim(*pod, name))
      return true;  // the pod's events bring it back here
  }
  return remove_finalizer(c, "persistentvolumeclaims", ns, obj, kClaimFinalizer);
}

}  // namespace stillpoint::kubesim

// DefaultStorageClass admission (default_storage_class.h).
#include "default_storage_class.h"

#include <string>

namespace stillpoint::kubesim {
namespace {

// storageutil.IsDefaultAnnotation: the GA annotation or the beta one, value "true".
bool is_default(const nlohmann::json& cls) {
  const nlohmann::json& md = cls["metadata"];
  if (!md.contains("annotations") || !md["annotations"].is_object())
    return false;
  const nlohmann::json& a = md["annotations"];
  for (const char* key : {"storageclass.kubernetes.io/is-default-class",
                          "storageclass.beta.kubernetes.io/is-default-class"}) {
    if (a.contains(key) && a[key] == "true")
      return true;
  }
  return false;
}

}  // namespace

void admit_default_storage_class(const Store& store, nlohmann::json& claim) {
  if (!claim.contains("spec") || !claim["spec"].is_object())
    return;
  nlohmann::json& spec = claim["spec"];
  if (spec.contains("storageClassName") && !spec["storageClassName"].is_null())
    return;
  const nlohmann::json& md = claim["metadata"];
  if (md.contains("annotations") && md["annotations"].is_object() &&
      md["annotations"].contains("volume.beta.kubernetes.io/storage-class")) {
    return;
  }
  const nlohmann::json* chosen = nullptr;
  for (const auto& [key, s] : store.bucket("storageclasses.storage.k8s.io")) {
    const nlohmann::json& cls = *s.object;
    if (!is_default(cls))
      continue;
    if (chosen == nullptr || cls["metadata"].value("creationTimestamp", "") >=
                                 (*chosen)["metadata"].value("creationTimestamp", "")) {
      chosen = &cls;
    }
  }
  if (chosen != nullptr) {
    spec["storageClassName"] = (*chosen)["metadata"].value("name", "");
  }
}

}  // namespace stillpoint::kubesim

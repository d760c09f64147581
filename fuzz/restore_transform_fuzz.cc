// Items of a backup archive are untrusted JSON that the restore rewrites before creating them
// (object_transform.h). Input: one byte choosing the resource type, then the item's bytes.
// Whatever the item, prepare_for_restore must not throw or crash, and an item it keeps is
// an object without status.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "restore/object_transform.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static constexpr const char* kTypes[] = {
      "pods",     "services", "persistentvolumes", "persistentvolumeclaims", "secrets",
      "serviceaccounts", "jobs.batch", "rolebindings.rbac.authorization.k8s.io",
      "clusterrolebindings.rbac.authorization.k8s.io", "namespaces", "configmaps"};
  if (size == 0) return 0;
  const char* type = kTypes[data[0] % (sizeof kTypes / sizeof kTypes[0])];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto object = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) return 0;
  stillpoint::restore::TransformContext context;
  context.backup_name = "b";
  context.restore_name = "r";
  context.namespace_mapping = {{"a", "b"}};
  context.reprovisioned_volumes = {"pv"};
  auto out = stillpoint::restore::prepare_for_restore(std::move(object), type, context);
  if (out.skip_reason.empty() && (!out.object.is_object() || out.object.contains("status"))) {
    std::abort();
  }
  return 0;
}

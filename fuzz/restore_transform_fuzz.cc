// Items of a backup archive are untrusted JSON that the restore rewrites before creating them
// (object_transform.h). Input: one byte choosing the resource type, then the item's bytes.
// Whatever the item, prepare_for_restore must not throw or crash, and an item it keeps is
// an object without status, and the Go-compatible JSON the restore sends for it
// (core/go_json.h) parses back to the same object.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/go_json.h"
#include "restore/object_transform.h"
#include "restore/volume_in_use.h"

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
  if (out.skip_reason.empty()) {
    const std::string sent = stillpoint::core::go_json_dump(out.object);
    if (nlohmann::json::parse(sent, nullptr, false) != out.object) std::abort();
    (void)stillpoint::restore::taken_by_another_claim(out.object, out.object);
  }
  return 0;
}

#include "operation/backup_request_from_object.h"

#include "catalog/backup_catalog.h"
#include "core/go_duration.h"
#include "hooks/spec_file.h"

namespace stillpoint::operation {

using nlohmann::json;

core::Result<backup::BackupRequest> backup_request_from_object(const json& object,
                                                               const std::string& origin,
                                                               const BackupRunSettings& settings) {
  std::string name;
  if (object.contains("metadata") && object["metadata"].is_object()) {
    const json& n = object["metadata"].value("name", json());
    if (n.is_string()) name = n.get<std::string>();
  }
  if (name.empty()) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "a backup name is required (argument NAME or metadata.name)");
  }
  if (auto why = catalog::check_backup_name(name); !why.empty()) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "backup name \"" + name + "\": " + why);
  }
  // The parser sees only what decides the run: the kind, the name and the spec (a server's
  // object also carries status and server-set metadata, which are not the spec's business).
  json decoded = {{"apiVersion", object.value("apiVersion", json("velero.io/v1"))},
                  {"kind", object.value("kind", json("Backup"))},
                  {"metadata", {{"name", name}}},
                  {"spec", object.value("spec", json::object())}};
  auto parsed = hooks::parse_spec_object(decoded, origin);
  if (!parsed) return core::unexpected(parsed.error());
  if (parsed->is_restore()) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            origin + ": a Restore object cannot be used to create a backup");
  }
  const json& spec = decoded["spec"];
  if (spec.contains("ttl")) {
    if (!spec["ttl"].is_string() || !core::parse_go_duration(spec["ttl"].get<std::string>())) {
      return core::unexpected(core::ErrorCode::InvalidArgument,
                              origin + ": spec.ttl: " + spec["ttl"].dump() +
                                  " is not a duration (e.g. 720h)");
    }
  }
  backup::BackupRequest request;
  request.name = name;
  request.spec = spec;
  const json metadata = object.value("metadata", json::object());
  if (metadata.contains("labels") && metadata["labels"].is_object()) {
    request.labels = metadata["labels"];
  }
  if (metadata.contains("annotations") && metadata["annotations"].is_object()) {
    request.annotations = metadata["annotations"];
    // kubectl's copy of the whole object: large, and of no use to another cluster.
    request.annotations.erase("kubectl.kubernetes.io/last-applied-configuration");
  }
  if (!settings.default_ttl.empty()) {
    const bool unset = !spec.contains("ttl") ||
                       *core::parse_go_duration(spec["ttl"].get<std::string>()) ==
                           core::Duration::zero();
    if (unset) request.spec["ttl"] = settings.default_ttl;
  }
  request.hooks_spec = std::get<hooks::BackupSpec>(std::move(parsed->spec));
  request.spec_warnings = std::move(parsed->warnings);
  if (spec.contains("includeClusterResources") && spec["includeClusterResources"].is_boolean()) {
    request.include_cluster_resources = spec["includeClusterResources"].get<bool>();
  }
  request.item_block_workers = settings.item_block_workers;
  request.volume_timeout = settings.volume_timeout;
  request.strict_hooks = settings.strict_hooks;
  return request;
}

}  // namespace stillpoint::operation

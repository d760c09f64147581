#include "operation/restore_request_from_object.h"

#include "catalog/backup_catalog.h"
#include "hooks/spec_file.h"

namespace stillpoint::operation {

using nlohmann::json;

namespace {

core::Error invalid(std::string message) {
  return core::Error{core::ErrorCode::InvalidArgument, std::move(message)};
}

}  // namespace

core::Result<restore::RestoreRequest> restore_request_from_object(
    const json& object, const std::string& origin, const RestoreRunSettings& settings) {
  const json spec = object.value("spec", json::object());
  const json backup_name = spec.is_object() ? spec.value("backupName", json()) : json();
  if (!backup_name.is_string() || backup_name.get<std::string>().empty()) {
    return core::unexpected(invalid("a backup to restore is required (--from-backup NAME or "
                                    "spec.backupName in --from-file)"));
  }
  std::string name;
  if (object.contains("metadata") && object["metadata"].is_object()) {
    const json& n = object["metadata"].value("name", json());
    if (n.is_string()) name = n.get<std::string>();
  }
  if (auto why = catalog::check_backup_name(name); !why.empty()) {
    return core::unexpected(invalid("restore name \"" + name + "\": " + why));
  }
  json decoded = {{"apiVersion", object.value("apiVersion", json("velero.io/v1"))},
                  {"kind", object.value("kind", json("Restore"))},
                  {"metadata", {{"name", name}}},
                  {"spec", spec}};
  auto parsed = hooks::parse_spec_object(decoded, origin);
  if (!parsed) return core::unexpected(parsed.error());
  if (!parsed->is_restore()) {
    return core::unexpected(invalid(origin + ": a Backup object cannot be used to restore"));
  }
  restore::RestoreRequest request;
  if (spec.contains("existingResourcePolicy") && !spec["existingResourcePolicy"].is_null()) {
    const json& policy = spec["existingResourcePolicy"];
    if (policy == "update") {
      request.existing_policy = restore::ExistingPolicy::Update;
    } else if (policy != "none") {
      return core::unexpected(invalid(origin + ": spec.existingResourcePolicy: " + policy.dump() +
                                      " is not one of none, update"));
    }
  }
  request.name = name;
  request.backup_name = backup_name.get<std::string>();
  request.spec = spec;
  request.hooks_spec = std::get<hooks::RestoreSpec>(std::move(parsed->spec));
  request.spec_warnings = std::move(parsed->warnings);
  request.hook_wait_limit = settings.hook_wait_limit;
  request.restore_helper_image = settings.restore_helper_image;
  request.workers = settings.workers;
  return request;
}

}  // namespace stillpoint::operation

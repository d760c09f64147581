#include "backup/backup_status.h"

#include "archive/tarball_writer.h"

namespace stillpoint::backup {

nlohmann::json backup_object(const BackupRequest& request, const BackupStatus& s) {
  nlohmann::json status = {
      {"version", 1},
      {"formatVersion", std::string(archive::kFormatVersion)},
      {"phase", to_string(s.phase)},
      {"startTimestamp", catalog::rfc3339(s.start)},
      {"expiration", catalog::rfc3339(s.expiration)},
      {"progress", {{"totalItems", s.total_items}, {"itemsBackedUp", s.items_backed_up}}},
      {"errors", s.errors},
      {"warnings", s.warnings},
  };
  if (s.volumes_attempted > 0) {
    status["podVolumeBackups"] = {{"attempted", s.volumes_attempted},
                                  {"completed", s.volumes_completed},
                                  {"failed", s.volumes_attempted - s.volumes_completed}};
  }
  catalog::add_outcome_fields(status, s.completion, s.failure_reason, s.validation_errors, s.hook_status,
                     s.hook_results);
  nlohmann::json labels = request.labels.is_object() ? request.labels : nlohmann::json::object();
  if (!labels.contains("velero.io/storage-location")) labels["velero.io/storage-location"] = "default";
  nlohmann::json metadata = {{"name", request.name},
                             {"namespace", "velero"},
                             {"creationTimestamp", catalog::rfc3339(s.start)},
                             {"labels", std::move(labels)}};
  if (request.annotations.is_object() && !request.annotations.empty()) {
    metadata["annotations"] = request.annotations;
  }
  return {
      {"apiVersion", "velero.io/v1"},
      {"kind", "Backup"},
      {"metadata", std::move(metadata)},
      {"spec", request.spec},
      {"status", std::move(status)},
  };
}

}  // namespace stillpoint::backup

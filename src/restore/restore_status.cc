#include "restore/restore_status.h"

namespace stillpoint::restore {

const char* to_string(ExistingPolicy policy) {
  return policy == ExistingPolicy::Update ? "update" : "none";
}

nlohmann::json restore_object(const RestoreRequest& request, const RestoreStatus& s) {
  nlohmann::json status = {
      {"phase", catalog::to_string(s.phase)},
      {"startTimestamp", catalog::rfc3339(s.start)},
      {"progress",
       {{"totalItems", s.total_items},
        {"itemsRestored", s.items_restored},
        {"itemsSkipped", s.items_skipped},
        {"itemsFailed", s.items_failed}}},
      {"errors", s.errors},
      {"warnings", s.warnings},
  };
  if (s.volumes_attempted > 0) {
    status["podVolumeRestores"] = {{"attempted", s.volumes_attempted},
                                   {"completed", s.volumes_completed},
                                   {"failed", s.volumes_attempted - s.volumes_completed}};
  }
  catalog::add_outcome_fields(status, s.completion, s.failure_reason, s.validation_errors,
                             s.hook_status, s.hook_results);
  nlohmann::json spec = request.spec;
  spec["backupName"] = request.backup_name;
  return {
      {"apiVersion", "velero.io/v1"},
      {"kind", "Restore"},
      {"metadata",
       {{"name", request.name},
        {"namespace", "velero"},
        {"creationTimestamp", catalog::rfc3339(s.start)},
        {"labels", {{"velero.io/backup-name", request.backup_name}}}}},
      {"spec", std::move(spec)},
      {"status", std::move(status)},
  };
}

}  // namespace stillpoint::restore

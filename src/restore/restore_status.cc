#include "restore/restore_status.h"

namespace stillpoint::restore {

const char* to_string(ExistingPolicy policy) {
  return policy == ExistingPolicy::Update ? "update" : "none";
}

nlohmann::json restore_object(const RestoreRequest& request, const RestoreStatus& s) {
  nlohmann::json status = {
      {"phase", backup::to_string(s.phase)},
      {"startTimestamp", backup::rfc3339(s.start)},
      {"progress",
       {{"totalItems", s.total_items},
        {"itemsRestored", s.items_restored},
        {"itemsSkipped", s.items_skipped},
        {"itemsFailed", s.items_failed}}},
      {"errors", s.errors},
      {"warnings", s.warnings},
      {"hookStatus",
       {{"hooksAttempted", s.hook_status.hooks_attempted},
        {"hooksFailed", s.hook_status.hooks_failed},
        {"hooksSkipped", s.hook_status.hooks_skipped}}},
  };
  if (s.completion.time_since_epoch().count() != 0) {
    status["completionTimestamp"] = backup::rfc3339(s.completion);
  }
  if (!s.failure_reason.empty()) status["failureReason"] = s.failure_reason;
  if (!s.validation_errors.empty()) status["validationErrors"] = s.validation_errors;
  nlohmann::json results = nlohmann::json::array();
  for (const auto& r : s.hook_results) results.push_back(backup::hook_result_json(r));
  status["hookResults"] = std::move(results);
  nlohmann::json spec = request.spec;
  spec["backupName"] = request.backup_name;
  return {
      {"apiVersion", "velero.io/v1"},
      {"kind", "Restore"},
      {"metadata",
       {{"name", request.name},
        {"namespace", "velero"},
        {"creationTimestamp", backup::rfc3339(s.start)},
        {"labels", {{"velero.io/backup-name", request.backup_name}}}}},
      {"spec", std::move(spec)},
      {"status", std::move(status)},
  };
}

}  // namespace stillpoint::restore

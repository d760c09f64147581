#include "backup/backup_status.h"

#include <ctime>

#include "archive/tarball_writer.h"

namespace stillpoint::backup {

const char* to_string(Phase phase) {
  switch (phase) {
    case Phase::InProgress:
      return "InProgress";
    case Phase::Completed:
      return "Completed";
    case Phase::PartiallyFailed:
      return "PartiallyFailed";
    case Phase::Failed:
      return "Failed";
    case Phase::FailedValidation:
      return "FailedValidation";
  }
  return "Unknown";
}

std::string rfc3339(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json hook_result_json(const hooks::HookRecord& r) {
  nlohmann::json j = {
      {"namespace", r.namespace_name},
      {"pod", r.pod},
      {"container", r.container},
      {"phase", r.phase},
      {"name", r.name},
      {"source", r.source == hooks::HookSource::Annotation ? "annotation" : "spec"},
      {"result", hooks::to_string(r.result)},
      {"startTimestamp", rfc3339(r.start)},
      {"completionTimestamp", rfc3339(r.completion)},
      {"durationMs", r.duration_ms()},
  };
  if (r.exit_code) j["exitCode"] = *r.exit_code;
  if (!r.error.empty()) j["error"] = r.error;
  return j;
}

void add_outcome_fields(nlohmann::json& status,
                        std::chrono::system_clock::time_point completion,
                        const std::string& failure_reason,
                        const std::vector<std::string>& validation_errors,
                        const hooks::HookStatus& hook_status,
                        const std::vector<hooks::HookRecord>& hook_results) {
  status["hookStatus"] = {{"hooksAttempted", hook_status.hooks_attempted},
                          {"hooksFailed", hook_status.hooks_failed},
                          {"hooksSkipped", hook_status.hooks_skipped}};
  if (completion.time_since_epoch().count() != 0) {
    status["completionTimestamp"] = rfc3339(completion);
  }
  if (!failure_reason.empty()) status["failureReason"] = failure_reason;
  if (!validation_errors.empty()) status["validationErrors"] = validation_errors;
  nlohmann::json results = nlohmann::json::array();
  for (const auto& r : hook_results) results.push_back(hook_result_json(r));
  status["hookResults"] = std::move(results);
}

nlohmann::json backup_object(const BackupRequest& request, const BackupStatus& s) {
  nlohmann::json status = {
      {"version", 1},
      {"formatVersion", std::string(archive::kFormatVersion)},
      {"phase", to_string(s.phase)},
      {"startTimestamp", rfc3339(s.start)},
      {"expiration", rfc3339(s.expiration)},
      {"progress", {{"totalItems", s.total_items}, {"itemsBackedUp", s.items_backed_up}}},
      {"errors", s.errors},
      {"warnings", s.warnings},
  };
  if (s.volumes_attempted > 0) {
    status["podVolumeBackups"] = {{"attempted", s.volumes_attempted},
                                  {"completed", s.volumes_completed},
                                  {"failed", s.volumes_attempted - s.volumes_completed}};
  }
  add_outcome_fields(status, s.completion, s.failure_reason, s.validation_errors, s.hook_status,
                     s.hook_results);
  return {
      {"apiVersion", "velero.io/v1"},
      {"kind", "Backup"},
      {"metadata",
       {{"name", request.name},
        {"namespace", "velero"},
        {"creationTimestamp", rfc3339(s.start)},
        {"labels", {{"velero.io/storage-location", "default"}}}}},
      {"spec", request.spec},
      {"status", std::move(status)},
  };
}

}  // namespace stillpoint::backup

#include "catalog/status_schema.h"

#include <ctime>

namespace stillpoint::catalog {

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

}  // namespace stillpoint::catalog

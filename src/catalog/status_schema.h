// The status fields a Backup and a Restore object share, as stored in the location: the
// phase, timestamps in Kubernetes' form, and the hook outcome (hookStatus, hookResults[]):
// Velero's fields plus stillpoint's hooksSkipped and hookResults (../shared/spec/hooks.md §5).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hooks/hook_record.h"

namespace stillpoint::catalog {

enum class Phase { InProgress, Completed, PartiallyFailed, Failed, FailedValidation };
const char* to_string(Phase phase);

// RFC 3339 in UTC with second precision, as Kubernetes writes timestamps.
std::string rfc3339(std::chrono::system_clock::time_point t);

nlohmann::json hook_result_json(const hooks::HookRecord& record);

// The status fields a Backup and a Restore object share once the run ends: hookStatus and
// hookResults[], completionTimestamp (when set), failureReason and validationErrors (when any).
void add_outcome_fields(nlohmann::json& status,
                        std::chrono::system_clock::time_point completion,
                        const std::string& failure_reason,
                        const std::vector<std::string>& validation_errors,
                        const hooks::HookStatus& hook_status,
                        const std::vector<hooks::HookRecord>& hook_results);

}  // namespace stillpoint::catalog

// A restore's outcome and the `velero.io/v1` Restore object that records it
// (restores/<name>/velero-restore.json, written last). Velero's status fields, plus
// stillpoint's progress.itemsSkipped/itemsFailed, hookStatus.hooksSkipped and hookResults[]
// (../shared/spec/hooks.md §5).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/status_schema.h"
#include "hooks/hook_record.h"
#include "restore/restore_request.h"

namespace stillpoint::restore {

using catalog::Phase;

struct RestoreStatus {
  Phase phase = Phase::InProgress;
  std::chrono::system_clock::time_point start;
  std::chrono::system_clock::time_point completion;
  size_t total_items = 0;     // items in the backup that the restore's filters select
  size_t items_restored = 0;  // created, or updated with policy update
  size_t items_skipped = 0;   // existed already (policy none) or never re-created (completed pods, ...)
  size_t items_failed = 0;    // the API server refused them
  int errors = 0;
  int warnings = 0;
  std::string failure_reason;
  std::vector<std::string> validation_errors;
  hooks::HookStatus hook_status;
  std::vector<hooks::HookRecord> hook_results;
  // Pod volume data: volumes whose restore was attempted, and those delivered intact.
  // Written as status.podVolumeRestores when any was attempted.
  size_t volumes_attempted = 0;
  size_t volumes_completed = 0;
};

nlohmann::json restore_object(const RestoreRequest& request, const RestoreStatus& status);

}  // namespace stillpoint::restore

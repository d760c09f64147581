// A backup's outcome and the `velero.io/v1` Backup object that records it in the backup
// location (velero-backup.json, written last: its presence is what makes a backup exist).
// Velero's status fields, plus stillpoint's hookStatus.hooksSkipped and hookResults[]
// (../shared/spec/hooks.md §5).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backup/backup_request.h"
#include "catalog/status_schema.h"
#include "hooks/hook_record.h"

namespace stillpoint::backup {

using catalog::Phase;

struct BackupStatus {
  Phase phase = Phase::InProgress;
  std::chrono::system_clock::time_point start;
  std::chrono::system_clock::time_point completion;
  std::chrono::system_clock::time_point expiration;
  size_t total_items = 0;
  size_t items_backed_up = 0;
  int errors = 0;
  int warnings = 0;
  std::string failure_reason;
  std::vector<std::string> validation_errors;
  hooks::HookStatus hook_status;
  std::vector<hooks::HookRecord> hook_results;
  // Pod volume data (volume_manifest.h holds the details): volumes whose copy was attempted,
  // and those that completed. Written as status.podVolumeBackups when any was attempted.
  size_t volumes_attempted = 0;
  size_t volumes_completed = 0;
};

nlohmann::json backup_object(const BackupRequest& request, const BackupStatus& status);

}  // namespace stillpoint::backup

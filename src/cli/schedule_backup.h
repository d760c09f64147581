// `stillpoint backup create [NAME] --from-schedule SCHEDULE`: a backup made now from a
// Schedule, shaped as Velero shapes the backups of a schedule (pkg/builder's FromSchedule): the
// template is the spec, the schedule's labels plus velero.io/schedule-name, an ownerReference
// to the Schedule when spec.useOwnerReferencesInBackup is true. The server runs it like any
// Backup object; the command follows it as --via-server does.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/operation_flags.h"

namespace stillpoint::cli {

// Velero's name for a backup of `schedule` made at `now`: "<schedule>-<yyyyMMddHHmmss>" (UTC).
std::string scheduled_backup_name(const std::string& schedule,
                                  std::chrono::system_clock::time_point now);

// The Backup object (kind, metadata.name/labels/ownerReferences, spec) for `schedule` (as read
// from the API server: metadata.uid is used for the ownerReference).
nlohmann::json backup_from_schedule(const nlohmann::json& schedule, const std::string& name);

// Reads the Schedule from flags.server_namespace, creates the backup and follows it
// (run_object_via_server). `name` empty: scheduled_backup_name(now). Exit 1 with the
// schedule's name when it does not exist.
int run_backup_from_schedule(const OperationFlags& flags,
                             const std::string& name,
                             const std::string& schedule);

}  // namespace stillpoint::cli

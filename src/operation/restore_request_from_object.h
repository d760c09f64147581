// A Restore object (velero.io/v1 or stillpoint.io/v1) → the RestoreRequest RestoreRunner
// takes: `stillpoint restore create` and the server share it (backup_request_from_object.h
// says why).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "restore/restore_request.h"

namespace stillpoint::operation {

struct RestoreRunSettings {
  // The wait of exec hooks that set no waitTimeout (the CLI's --hook-wait-timeout).
  core::Duration hook_wait_limit = hooks::kDefaultRestoreHookWait;
  std::string restore_helper_image = "busybox:1.36";
  size_t workers = restore::kDefaultRestoreWorkers;
};

// `object` has `spec` (with backupName) and `metadata.name` (the caller fills in a default
// name first). InvalidArgument names the field and value.
core::Result<restore::RestoreRequest> restore_request_from_object(
    const nlohmann::json& object, const std::string& origin, const RestoreRunSettings& settings);

}  // namespace stillpoint::operation

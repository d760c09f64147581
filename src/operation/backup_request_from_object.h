// A Backup object (velero.io/v1 or stillpoint.io/v1) → the BackupRequest BackupRunner takes.
// `stillpoint backup create` calls it on the object its flags and --from-file built, and the
// server on the object it read from the API server, so the two fronts accept the same specs
// with the same messages.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "backup/backup_request.h"
#include "core/result.h"

namespace stillpoint::operation {

// What a run takes beyond the object: the CLI's flags, the server's settings.
struct BackupRunSettings {
  size_t item_block_workers = backup::kDefaultItemBlockWorkers;
  std::chrono::nanoseconds volume_timeout = std::chrono::hours(4);
  bool strict_hooks = false;
  // The server's --default-backup-ttl (a Go duration), written into a spec without ttl (or
  // with ttl 0, as Velero reads it) so that the stored backup says how long it lives; empty:
  // the runner's default, 720h.
  std::string default_ttl = {};
};

// `object` has `spec` and `metadata.name`; `origin` prefixes messages ("--from-file",
// "backup.yaml: document 1", "Backup stillpoint/nightly"). InvalidArgument names the field
// and value: a missing or invalid name, a spec the hooks parser rejects, a Restore object, a
// ttl that is not a duration.
core::Result<backup::BackupRequest> backup_request_from_object(const nlohmann::json& object,
                                                               const std::string& origin,
                                                               const BackupRunSettings& settings);

}  // namespace stillpoint::operation

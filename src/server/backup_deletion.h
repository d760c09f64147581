// Deleting a backup for good, as garbage collection (an expired backup) and a
// DeleteBackupRequest (`stillpoint backup delete`) do: first its data in the location (every
// object under backups/<name>/: archive, logs, volume data, checksums; then the Backup record
// last of all is gone), then the Restores made from it (their records in the location and their
// objects, as Velero does), then the Backup object. Deleting the object alone (`kubectl
// delete`) only makes the cluster forget it: sync brings it back from the location.
//
// Refused, with nothing deleted: a backup still running (New/InProgress); a restore from it that
// has not ended (the restore wins; garbage collection tries again later); a location that cannot
// be opened or is read-only (accessMode: ReadOnly). Idempotent: data or objects already gone are
// not an error.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "core/result.h"
#include "server/server_context.h"

namespace stillpoint::server {

// `backup` is the Backup object as last read. Errors: Conflict (the backup or a restore from
// it is running), Forbidden (read-only location), Unavailable/others (the location or the API
// server failed; what was deleted stays deleted, a retry finishes the rest).
boost::asio::awaitable<core::Status> delete_backup_and_data(ServerContext& ctx,
                                                            const nlohmann::json& backup);

}  // namespace stillpoint::server

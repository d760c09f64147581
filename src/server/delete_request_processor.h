// A DeleteBackupRequest (Velero's shape: spec.backupName; `stillpoint backup delete NAME`
// creates one), run once: claimed (phase InProgress, with the resourceVersion it was read at,
// so one replica runs it), the backup deleted with its data (backup_deletion.h), then phase
// Processed with status.errors saying what kept it from being deleted, if anything. A backup
// that no longer exists is Processed without errors: deletion is idempotent.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "server/server_context.h"

namespace stillpoint::server {

boost::asio::awaitable<void> process_delete_request(ServerContext& ctx, nlohmann::json request);

}  // namespace stillpoint::server

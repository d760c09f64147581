// What a new leader does first with the work its predecessor left InProgress (the process
// that ran it died: SIGKILL, node loss, OOM). A backup cannot be resumed from inside its
// ItemBlocks — the archive being written died with the process — so it is marked Failed with
// the reason and nothing of it is published (its velero-backup.json was never written). But
// before that, every pod recorded as between its pre and post hooks (hook_window_recorder.h)
// gets its post hooks, planned from the same spec: an application is never left frozen. A
// Restore left InProgress is marked Failed (its objects are in the cluster as far as it got;
// a new Restore with existingResourcePolicy update finishes the job).
#pragma once

#include <cstddef>

#include <boost/asio/awaitable.hpp>

#include "server/server_context.h"

namespace stillpoint::server {

struct RecoveryCounts {
  size_t backups_failed = 0;
  size_t restores_failed = 0;
  size_t pods_thawed = 0;  // pods whose post hooks ran
};

boost::asio::awaitable<RecoveryCounts> recover_interrupted_operations(ServerContext& ctx);

}  // namespace stillpoint::server

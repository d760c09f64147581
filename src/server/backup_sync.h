// The backup sync (Velero's backup sync controller): every period, while this replica leads,
// each location's backups become Backup objects in the cluster, so that a new cluster pointed
// at an old cluster's location sees (and can restore) its backups, with their stored status,
// labels and annotations. An object whose data vanished from its location is removed.
//
// The locations: every BackupStorageLocation of the namespace (spec.backupSyncPeriod overrides
// the server's period, "0s" turns it off; a location is synced on the first tick after its
// period has passed), plus the server's own location (--storage) when no BSL is marked
// default, since that is where a Backup without spec.storageLocation goes.
//
// Race rule: the cluster's Backups are listed BEFORE the location. A backup finishing between
// the two lists is then either still InProgress in the first (never removed) or, if already
// Completed, published first (its velero-backup.json is written before its status), so in the
// second: a backup is never taken for vanished because it completed mid-sync.
//
// Not here: deleting anything from a location (the garbage collector's and `backup delete`'s
// business), pod volume backups and snapshots (stillpoint keeps volume data in the backup).
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "server/location_list.h"
#include "server/server_context.h"

namespace stillpoint::server {

inline constexpr auto kDefaultBackupSyncPeriod = std::chrono::minutes(1);
inline constexpr const char* kStorageLocationLabel = "velero.io/storage-location";

struct SyncCounts {
  size_t locations = 0;  // synced (listed) this pass
  size_t failed = 0;     // could not be opened or listed: skipped, marked Unavailable
  size_t created = 0;    // Backup objects made from a location
  size_t removed = 0;    // Backup objects whose data vanished
};

class BackupSync {
 public:
  // `period`: the server's --backup-sync-period (zero: no sync at all). `may_run` is asked
  // before each pass (leadership, shutdown).
  BackupSync(ServerContext& ctx, core::Duration period, std::function<bool()> may_run);

  // Passes every period until cancelled.
  boost::asio::awaitable<void> run();
  // One pass over the locations that are due. Never fails: what goes wrong is logged, and
  // the location skipped.
  boost::asio::awaitable<SyncCounts> sync_once();

 private:
  struct Target {
    // The BackupStorageLocation; empty for the server's own location. Read-only ones are
    // synced too: the sync writes nothing to a location.
    std::string name;
  };
  boost::asio::awaitable<void> pass_once();
  boost::asio::awaitable<void> sync_location(Target target, SyncCounts& counts);
  boost::asio::awaitable<bool> create_from_location(const Target& target,
                                                    storage::ObjectStore& store,
                                                    const std::string& name);
  boost::asio::awaitable<void> write_stored_status(storage::ObjectStore& store,
                                                   const std::string& name);

  ServerContext& ctx_;
  core::Duration period_;
  std::function<bool()> may_run_;
  DueTimes due_;
};

// The Backup object the sync creates from a stored velero-backup.json (status apart: it is
// written afterwards through the status subresource): name, labels and annotations kept,
// server-set metadata dropped, spec.storageLocation and the storage-location label set to
// `location` (removed for the server's own location, ""), kSyncedFromAnnotation added.
nlohmann::json synced_backup_object(const nlohmann::json& stored,
                                    const std::string& name,
                                    const std::string& api_group,
                                    const std::string& namespace_name,
                                    const std::string& location);

}  // namespace stillpoint::server

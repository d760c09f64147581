// `stillpoint server`: the controllers of Backups, Restores, Schedules and
// DeleteBackupRequests in one namespace, and the garbage collector of expired backups, started
// when this replica leads (a Lease; kube/leader_election.h) and stopped when it stops leading or
// is told to stop. On becoming leader it first settles what a dead predecessor left
// InProgress (interrupted_operations.h). Beside the controllers, also only while leading: the
// backup sync (backup_sync.h) and location validation (location_validator.h). docs/server.md
// is the user's view.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "server/backup_sync.h"
#include "server/garbage_collector.h"
#include "server/location_validator.h"
#include "server/operation_controller.h"
#include "server/schedule_controller.h"
#include "server/server_context.h"

namespace stillpoint::server {

struct ServerOptions {
  std::string api_group = kStillpointGroup;
  std::string namespace_name = "stillpoint";
  size_t max_concurrent_backups = 1;
  size_t max_concurrent_restores = 1;
  DefaultLocation default_location;
  operation::BackupRunSettings backup_settings;
  operation::RestoreRunSettings restore_settings;
  // With --api-group velero.io: start even though a Velero deployment runs in the cluster.
  bool force = false;
  ObjectWatchOptions watch;
  // --backup-sync-period, --store-validation-frequency (zero: off; docs/server.md).
  core::Duration backup_sync_period = kDefaultBackupSyncPeriod;
  core::Duration store_validation_frequency = kDefaultValidationFrequency;
  // --garbage-collection-frequency: how often expired backups are looked for (0: never).
  core::Duration gc_frequency = std::chrono::hours(1);
};

class Server {
 public:
  Server(ServerContext& ctx, ServerOptions options);
  ~Server();

  // Refuses to serve velero.io while Velero's own deployment runs (unless forced), then
  // runs the controllers, the backup sync and the location validation until stop().
  // `leading` says whether work may start; call leadership_changed() when it may have
  // changed. Returns once every run has ended. The outcome is in status() once it returns.
  boost::asio::awaitable<void> run(std::function<bool()> leading);
  const core::Status& status() const { return status_; }
  void leadership_changed();
  // Stops starting work and interrupts what runs (post hooks still run).
  void stop();

  bool synced() const;  // every informer has listed once (readiness)
  size_t running() const;

 private:
  boost::asio::awaitable<core::Status> check_no_velero();
  boost::asio::awaitable<void> run_all(std::function<boost::asio::awaitable<void>()> recover);

  ServerContext& ctx_;
  ServerOptions options_;
  std::unique_ptr<OperationController> backups_;
  std::unique_ptr<OperationController> restores_;
  std::unique_ptr<BackupSync> sync_;
  std::unique_ptr<LocationValidator> validator_;
  std::unique_ptr<OperationController> delete_requests_;
  std::unique_ptr<ScheduleController> schedules_;
  std::unique_ptr<GarbageCollector> collector_;
  bool recovered_ = false;
  bool stopped_ = false;
  core::Status status_ = core::ok();
  std::function<void()> cancel_;
};

}  // namespace stillpoint::server

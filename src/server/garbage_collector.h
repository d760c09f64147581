// Retention: every `frequency` (--garbage-collection-frequency, default 1h as Velero's), each
// Backup whose status.expiration has passed is deleted with its data (backup_deletion.h). One
// that cannot be deleted now — a restore from it still runs, its location is unavailable or
// read-only — is kept, reported (a log line and an event on the Backup) and tried again at the
// next pass. Runs only while this replica leads.
#pragma once

#include <functional>

#include <boost/asio/awaitable.hpp>

#include "server/server_context.h"

namespace stillpoint::server {

struct CollectionCounts {
  size_t expired = 0;  // backups past their expiration
  size_t deleted = 0;  // of those, deleted with their data
};

class GarbageCollector {
 public:
  GarbageCollector(ServerContext& ctx, core::Duration frequency, std::function<bool()> may_run)
      : ctx_(ctx), frequency_(frequency), may_run_(std::move(may_run)) {}

  // Collects every `frequency` (location_list.h's run_every) until cancelled; a pass comes
  // only while may_run() (the server starts this once it leads and has settled a
  // predecessor's work). A frequency of 0 collects never.
  boost::asio::awaitable<void> run();
  // One pass over the Backups.
  boost::asio::awaitable<CollectionCounts> collect_once();

 private:
  boost::asio::awaitable<void> collect_and_log();
  ServerContext& ctx_;
  core::Duration frequency_;
  std::function<bool()> may_run_;
};

}  // namespace stillpoint::server

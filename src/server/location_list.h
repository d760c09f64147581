// What the server's periodic location tasks (backup_sync.h, location_validator.h) share: the
// BackupStorageLocations of the namespace, and how often a task runs for each one (a field of
// its spec, a Go duration, overriding the server's flag; "0s" turns the task off for it).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "core/async/clock.h"
#include "core/result.h"
#include "kube/cluster_api.h"
#include "server/api_resources.h"

namespace stillpoint::server {

// Every BackupStorageLocation in the namespace; none (not an error) when the cluster does not
// serve the kind.
boost::asio::awaitable<core::Result<std::vector<nlohmann::json>>> list_locations(
    kube::ClusterApi& cluster, const ApiResources& resources, const std::string& namespace_name);

// spec.default: true on one of them. Where a Backup without spec.storageLocation goes
// (resolve_location takes the first such one); none: the server's own location.
bool has_default_location(const std::vector<nlohmann::json>& locations);

// spec.<field> of the location as a Go duration, else `fallback`. Zero: the task is off for
// it. A value that does not parse falls back, and `problem` says why (for the log).
core::Duration location_period(const nlohmann::json& location,
                               const char* field,
                               core::Duration fallback,
                               std::string* problem);

// When each location was last handled, so that each runs at its own period on the loop's
// ticks. Keys are location names ("" for the server's own).
class DueTimes {
 public:
  bool due(const std::string& name, core::Duration period, core::Clock::TimePoint now) const;
  void done(const std::string& name, core::Clock::TimePoint now) { last_[name] = now; }

 private:
  std::map<std::string, core::Clock::TimePoint> last_;
};

// Runs `pass` every `tick` (start to start) while `may_run()` (asked before each pass), until
// cancelled; a zero tick runs nothing. Cancellation ends a pause at once and a pass after its current step.
boost::asio::awaitable<void> run_every(core::Clock& clock,
                                       core::Duration tick,
                                       std::function<bool()> may_run,
                                       std::function<boost::asio::awaitable<void>()> pass);

}  // namespace stillpoint::server

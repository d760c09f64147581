// Schedules: an informer keeps every Schedule of the namespace in memory; on each change, and
// whenever the clock reaches the earliest next activation, each Schedule is looked at:
// validated (an invalid cron expression, time zone or template: FailedValidation with the
// reason; otherwise Enabled), and, when due (schedule/due_run.h) and not paused, given a Backup
// named <schedule>-<yyyyMMddHHmmss> with the velero.io/schedule-name label, the template as its
// spec, and status.lastBackup set. A schedule whose previous backup has not ended skips the run
// (status.lastSkipped and a BackupSkipped event), never queueing a second one. Runs missed while
// no server ran give one catch-up backup. Works only while this replica leads. The time is
// ctx.clock, so tests drive a day of schedules in milliseconds.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "server/object_watch.h"
#include "server/server_context.h"

namespace stillpoint::server {

class ScheduleController {
 public:
  ScheduleController(ServerContext& ctx,
                     boost::asio::any_io_executor executor,
                     ObjectWatchOptions watch,
                     std::function<bool()> may_run);

  // Watches and acts until cancelled.
  boost::asio::awaitable<void> run();
  // Look at every schedule again (leadership changed).
  void wake();

  const ObjectWatchCounters& watch_counters() const { return counters_; }
  size_t backups_created() const { return created_; }

 private:
  using TimePoint = std::chrono::system_clock::time_point;
  void on_event(const kube::WatchEvent& event);
  // Every schedule once; returns the earliest time to look again.
  boost::asio::awaitable<std::optional<TimePoint>> look_at_all();
  boost::asio::awaitable<std::optional<TimePoint>> look_at(const nlohmann::json& schedule);
  boost::asio::awaitable<bool> previous_backup_running(const std::string& schedule,
                                                       std::string* which);
  boost::asio::awaitable<core::Status> create_backup(const nlohmann::json& schedule,
                                                     const std::string& name);
  boost::asio::awaitable<void> write_status(const std::string& name, const nlohmann::json& status);
  void set_alarm(boost::asio::any_io_executor executor, TimePoint at);

  ServerContext& ctx_;
  ObjectWatchOptions watch_;
  std::function<bool()> may_run_;
  std::map<std::string, nlohmann::json> schedules_;  // by name, as last seen
  std::set<std::string> paused_;                     // paused when last looked at
  // The lastBackup/lastSkipped this controller wrote, by schedule: the informer's copy may not
  // have caught up yet when the schedule is looked at again, and a stale lastBackup would make
  // the schedule due twice.
  std::map<std::string, TimePoint> last_written_;
  ObjectWatchCounters counters_;
  boost::asio::steady_timer wake_;
  std::shared_ptr<bool> alarm_cancelled_;
  size_t created_ = 0;
};

}  // namespace stillpoint::server

// The decision the server takes for one Schedule on each tick: make a backup now or not, when
// to look again, and what to call the backup. Pure: the caller passes the clock's reading and
// the Schedule's status, and records the outcome itself.
//
// Velero's rules (pkg/controller/schedule_controller.go, getNextRunTime and submitBackup):
//  - a schedule that never made a backup makes one at once, unless spec.skipImmediately;
//  - otherwise it is due once the first activation after its last backup has passed;
//  - runs missed while the server was down give ONE catch-up backup, not one per missed
//    activation: the backup made now becomes the last backup, and the next activation after
//    now lies in the future ("Don't attempt to catch up ... simply trigger a Backup if it's
//    time").
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "schedule/cron_schedule.h"

namespace stillpoint::schedule {

struct DueRun {
  // Make a backup now.
  bool due = false;
  // When to look again: the next activation after now if a backup is made now, else the
  // activation that will make the schedule due. nullopt: never (e.g. "0 0 30 2 *").
  std::optional<TimePoint> next = {};
};

// `last_backup` is status.lastBackup (nullopt: never ran); `created` the Schedule's
// creationTimestamp, which stands in for the last backup when skip_immediately holds and it
// never ran. Due means next_after(base) <= now; Velero tests now.After(next), which differs
// only when the clock reads that activation to the nanosecond.
DueRun due_run(const CronSchedule& schedule,
               std::optional<TimePoint> last_backup,
               TimePoint created,
               bool skip_immediately,
               TimePoint now);

// Velero's Schedule.TimestampedName: "<schedule>-<yyyyMMddHHmmss>" from Go's
// t.Format("20060102150405"), t in UTC (the server's zone), fraction of a second dropped.
std::string backup_name_for(const std::string& schedule, TimePoint t);

}  // namespace stillpoint::schedule

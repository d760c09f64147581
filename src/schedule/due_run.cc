#include "schedule/due_run.h"

#include <date/date.h>

#include <fmt/format.h>

namespace stillpoint::schedule {

DueRun due_run(const CronSchedule& schedule,
               std::optional<TimePoint> last_backup,
               TimePoint created,
               bool skip_immediately,
               TimePoint now) {
  if (!last_backup && !skip_immediately) {
    return DueRun{true, next_after(schedule, now)};
  }
  const TimePoint base = last_backup ? *last_backup : created;
  const auto activation = next_after(schedule, base);
  if (activation && *activation <= now) {
    // One backup now stands for every activation missed since `base`.
    return DueRun{true, next_after(schedule, now)};
  }
  return DueRun{false, activation};
}

std::string backup_name_for(const std::string& schedule, TimePoint t) {
  const auto secs = date::floor<std::chrono::seconds>(t);
  const auto day = date::floor<date::days>(secs);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<std::chrono::seconds> clock{secs - day};
  return fmt::format("{}-{:04}{:02}{:02}{:02}{:02}{:02}", schedule, static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count());
}

}  // namespace stillpoint::schedule

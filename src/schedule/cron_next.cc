// next_after: a line-by-line port of robfig/cron v3.0.1 spec.go (SpecSchedule.Next) and
// constantdelay.go (ConstantDelaySchedule.Next), on Go's calendar arithmetic (go_location.h).
//
// What that walk does around DST, which Velero users therefore get:
//  - spring-forward: a wall-clock time inside the skipped hour does not exist, so a job there
//    (Europe/Berlin "30 2 * * *" on the last Sunday of March) does not run that day at all;
//  - fall-back: the minute loop steps in absolute minutes and checks the wall clock, so a job
//    inside the repeated hour (America/New_York "30 1 * * *" on the first Sunday of November)
//    runs twice, once at each offset. Vixie cron runs it once; robfig does not.
#include <algorithm>
#include <chrono>
#include <optional>

#include "schedule/cron_schedule.h"
#include "schedule/go_location.h"

namespace stillpoint::schedule {
namespace {

using detail::SysSeconds;
using detail::WallClock;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::uint64_t kStarBit = std::uint64_t{1} << 63;

bool has(std::uint64_t bits, int v) {
  return (bits >> v & 1u) != 0;
}

}  // namespace

std::optional<TimePoint> next_after(const CronSchedule& s, TimePoint t) {
  // Go's t.Nanosecond() is in [0, 1e9) also before 1970: round down, not toward zero.
  const SysSeconds whole = std::chrono::floor<seconds>(t);
  const auto max_whole = std::chrono::floor<seconds>(TimePoint::max());
  if (s.every_ > seconds(0)) {
    // ConstantDelaySchedule.Next: t.Add(Delay - t.Nanosecond()).
    if (whole > max_whole - s.every_) {
      return std::nullopt;
    }
    return TimePoint(whole + s.every_);
  }
  const auto values = [](std::uint64_t bits) { return bits & ~kStarBit; };
  const bool day_star = ((s.day_of_month_ | s.day_of_week_) & kStarBit) != 0;
  const auto day_matches = [&](const WallClock& w) {
    // dayMatches: if either field began with a star (and no step above 1), both must match;
    // otherwise either one suffices (day-of-month OR day-of-week, as in Vixie cron).
    const bool dom = has(s.day_of_month_, w.day);
    const bool dow = has(s.day_of_week_, w.weekday);
    return day_star ? (dom && dow) : (dom || dow);
  };
  // A field that lists no value at all ("," parses to nothing) can never match: robfig would
  // walk five years of minutes to find that out; answer at once.
  const bool day_possible = day_star ? (values(s.day_of_month_) != 0 && values(s.day_of_week_) != 0)
                                     : (values(s.day_of_month_ | s.day_of_week_) != 0);
  if (values(s.minute_) == 0 || values(s.hour_) == 0 || values(s.month_) == 0 || !day_possible) {
    return std::nullopt;
  }

  const detail::GoLocation loc(s.zone_);
  // "Start at the earliest possible time (the upcoming second)."
  SysSeconds cur = whole + seconds(1);
  WallClock w = loc.wall(cur);
  // "This flag indicates whether a field has been incremented": the first field that moves
  // resets the ones below it; later moves keep them at zero.
  bool added = false;
  // "If no time is found within five years, return zero."
  const int year_limit = w.year + 5;
  const auto set = [&](SysSeconds next) {
    cur = next;
    w = loc.wall(cur);
  };

  for (;;) {  // each pass is robfig's WRAP label
    if (w.year > year_limit) {
      return std::nullopt;
    }
    bool wrap = false;

    while (!wrap && !has(s.month_, w.month)) {
      if (!added) {
        added = true;
        set(loc.date(w.year, w.month, 1, 0, 0, 0));
      }
      set(loc.date(w.year, w.month + 1, w.day, w.hour, w.minute, w.second));  // AddDate(0, 1, 0)
      wrap = w.month == 1;
    }
    if (wrap) {
      continue;
    }

    while (!wrap && !day_matches(w)) {
      if (!added) {
        added = true;
        set(loc.date(w.year, w.month, w.day, 0, 0, 0));
      }
      set(loc.date(w.year, w.month, w.day + 1, w.hour, w.minute, w.second));  // AddDate(0, 0, 1)
      // robfig: "Notice if the hour is no longer midnight due to DST. Add an hour if it's 23,
      // subtract an hour if it's 1." (zones whose DST shifts at midnight).
      if (w.hour != 0) {
        set(w.hour > 12 ? cur + hours(24 - w.hour) : cur - hours(w.hour));
      }
      wrap = w.day == 1;
    }
    if (wrap) {
      continue;
    }

    while (!wrap && !has(s.hour_, w.hour)) {
      if (!added) {
        added = true;
        set(loc.date(w.year, w.month, w.day, w.hour, 0, 0));
      }
      set(cur + hours(1));
      wrap = w.hour == 0;
    }
    if (wrap) {
      continue;
    }

    while (!wrap && !has(s.minute_, w.minute)) {
      if (!added) {
        added = true;
        set(std::chrono::floor<minutes>(cur));  // t.Truncate(time.Minute)
      }
      set(cur + minutes(1));
      wrap = w.minute == 0;
    }
    if (wrap) {
      continue;
    }

    // ParseStandard's second field is always 0.
    while (!wrap && w.second != 0) {
      added = true;
      set(cur + seconds(1));
      wrap = w.second == 0;
    }
    if (wrap) {
      continue;
    }

    if (cur > max_whole) {
      return std::nullopt;
    }
    return TimePoint(cur);
  }
}

std::optional<std::chrono::seconds> expected_interval(const CronSchedule& schedule, TimePoint now) {
  const auto first = next_after(schedule, now);
  if (!first) {
    return std::nullopt;
  }
  const auto second = next_after(schedule, *first);
  if (!second) {
    return std::nullopt;
  }
  return std::chrono::duration_cast<std::chrono::seconds>(*second - *first);
}

}  // namespace stillpoint::schedule

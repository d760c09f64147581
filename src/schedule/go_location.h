// Go's time.Time calendar arithmetic in one time zone, reduced to what robfig/cron's
// SpecSchedule.Next uses: wall-clock fields of an instant, and time.Date's normalisation of
// wall-clock fields back to an instant (including its choice inside DST gaps and overlaps).
//
// Internal to src/schedule. Speaks std::chrono only; the time-zone database (Howard Hinnant's
// date/tz over the system's /usr/share/zoneinfo) is confined to go_location.cc.
#pragma once

#include <chrono>
#include <string_view>

#include "core/result.h"

namespace stillpoint::schedule::detail {

using SysSeconds = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;

// Wall-clock fields of an instant, as Go's t.Year(), t.Month() (1-12), t.Day(), t.Hour(),
// t.Minute(), t.Second() and t.Weekday() (0 = Sunday).
struct WallClock {
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int weekday = 0;
};

// Go's time.LoadLocation as robfig calls it: "" and "UTC" are UTC (null zone), "Local" is the
// server's zone, UTC in our container (null zone too); names with "..", or starting with '/'
// or '\', are refused as Go refuses them. Otherwise the IANA zone, or InvalidArgument.
core::Result<const void*> load_location(std::string_view name);

class GoLocation {
 public:
  // `zone` is a load_location result: null for UTC.
  explicit GoLocation(const void* zone) : zone_(zone) {}

  WallClock wall(SysSeconds t) const;

  // time.Date(year, month, day, hour, minute, second, 0, loc): out-of-range fields are
  // normalised (month 13 is January of the next year, day 32 rolls into the next month), and a
  // wall-clock time that does not exist or exists twice is resolved as Go resolves it.
  SysSeconds date(int year, int month, int day, int hour, int minute, int second) const;

 private:
  struct Period {
    std::chrono::seconds offset{0};
    SysSeconds begin;
    SysSeconds end;
  };
  Period lookup(SysSeconds t) const;

  const void* zone_;
};

}  // namespace stillpoint::schedule::detail

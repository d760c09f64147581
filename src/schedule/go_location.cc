#include "schedule/go_location.h"

#include <date/date.h>
#include <date/tz.h>

#include <exception>
#include <string>

#include "core/text.h"

namespace stillpoint::schedule::detail {
namespace {

const date::time_zone* as_zone(const void* zone) {
  return static_cast<const date::time_zone*>(zone);
}

}  // namespace

core::Result<const void*> load_location(std::string_view name) {
  // Go's LoadLocation (time/zoneinfo.go): "" and "UTC" never touch the database; "Local" is
  // the process's zone, which Velero's container and ours leave at UTC.
  if (name.empty() || name == "UTC" || name == "Local") {
    return static_cast<const void*>(nullptr);
  }
  // Go refuses these before looking at any file ("time: invalid location name"); the zone
  // name comes from a user's object, so keep the refusal even though our lookup is by name.
  if (name.find("..") != std::string_view::npos || name.front() == '/' || name.front() == '\\') {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "invalid time zone name " + core::go_quote(name));
  }
  try {
    return static_cast<const void*>(date::locate_zone(std::string(name)));
  } catch (const std::exception&) {
    // date/tz throws both for an unknown name and for a missing /usr/share/zoneinfo.
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "unknown time zone " + core::go_quote(name));
  }
}

GoLocation::Period GoLocation::lookup(SysSeconds t) const {
  if (zone_ == nullptr) {
    return Period{std::chrono::seconds(0), SysSeconds::min(), SysSeconds::max()};
  }
  const date::sys_info info = as_zone(zone_)->get_info(t);
  return Period{info.offset, info.begin, info.end};
}

WallClock GoLocation::wall(SysSeconds t) const {
  const auto local = t + lookup(t).offset;
  const auto day = date::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const auto secs = (local - day).count();
  WallClock w;
  w.year = static_cast<int>(ymd.year());
  w.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  w.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  w.hour = static_cast<int>(secs / 3600);
  w.minute = static_cast<int>(secs / 60 % 60);
  w.second = static_cast<int>(secs % 60);
  w.weekday = static_cast<int>(date::weekday{day}.c_encoding());
  return w;
}

SysSeconds GoLocation::date(int year, int month, int day, int hour, int minute, int second) const {
  // Normalise the month into [1, 12] first, then let the day count run over (Go's norm()).
  int m0 = month - 1;
  year += m0 / 12;
  m0 %= 12;
  if (m0 < 0) {
    m0 += 12;
    year -= 1;
  }
  const date::sys_days first{date::year{year} / date::month{static_cast<unsigned>(m0 + 1)} / 1};
  const SysSeconds wall_as_utc = first + date::days{day - 1} + std::chrono::hours{hour} +
                                 std::chrono::minutes{minute} + std::chrono::seconds{second};
  // Go's time.Date (time/time.go): look the zone up at the wall-clock reading taken as UTC; if
  // that offset is not valid at the instant it gives, use the offset valid there instead. In a
  // spring-forward gap this lands an hour early in zones west of Greenwich and an hour late in
  // zones east of it; in a fall-back overlap it picks the first reading west, the second east.
  // robfig's Next only calls time.Date at midnights and at whole hours that exist, so for
  // zones like Europe/Berlin and America/New_York this never changes an answer; it is kept
  // exact for zones whose DST shifts at midnight.
  const Period guess = lookup(wall_as_utc);
  if (guess.offset == std::chrono::seconds(0)) {
    return wall_as_utc;
  }
  std::chrono::seconds offset = guess.offset;
  const SysSeconds utc = wall_as_utc - offset;
  if (utc < guess.begin || utc >= guess.end) {
    offset = lookup(utc).offset;
  }
  return wall_as_utc - offset;
}

}  // namespace stillpoint::schedule::detail

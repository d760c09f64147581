// Cron schedules exactly as Velero accepts them in Schedule.spec.schedule.
//
// Velero parses the text with robfig/cron v3.0.1's cron.ParseStandard and asks the result's
// Next(t) when the schedule is due (pkg/controller/schedule_controller.go). This is a port of
// both: robfig/cron v3 parser.go (grammar, descriptors, CRON_TZ=/TZ= prefix) and spec.go
// (SpecSchedule.Next, including how it walks over DST gaps and overlaps) and constantdelay.go
// (@every). Where robfig's behaviour is surprising the comment in the .cc names the file.
//
// It deliberately does not decide when a Schedule object makes a backup (due_run.h does) and
// does not expose the time-zone library: headers speak std::chrono only, date/tz stays in the
// .cc files.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace stillpoint::schedule {

using TimePoint = std::chrono::system_clock::time_point;

// A parsed schedule: a value, cheap to copy, immutable. Only parse_cron makes one.
class CronSchedule {
 public:
  // The text it was parsed from, unchanged.
  const std::string& text() const { return text_; }
  // The IANA name of a CRON_TZ=/TZ= prefix; empty when the schedule runs in UTC (no prefix,
  // or "UTC"): Velero evaluates unprefixed schedules in the server's local zone, which is UTC
  // in its container and in ours.
  const std::string& zone_name() const { return zone_name_; }
  // The interval of an `@every <duration>` schedule (whole seconds, at least 1 s); zero for
  // calendar schedules.
  std::chrono::seconds every() const { return every_; }

 private:
  friend core::Result<CronSchedule> parse_cron(std::string_view text);
  friend std::optional<TimePoint> next_after(const CronSchedule& schedule, TimePoint t);

  std::string text_;
  // robfig's SpecSchedule bit sets: bit v set when value v matches; bit 63 (robfig's starBit)
  // when the field began with `*` or `?` and had no step above 1, which switches the
  // day-of-month/day-of-week rule from union to intersection.
  std::uint64_t minute_ = 0;
  std::uint64_t hour_ = 0;
  std::uint64_t day_of_month_ = 0;
  std::uint64_t month_ = 0;
  std::uint64_t day_of_week_ = 0;
  std::chrono::seconds every_{0};
  std::string zone_name_;
  // The date::time_zone of zone_name_ (null for UTC), opaque so that this header stays free of
  // date/tz.h. Points into the process-wide time-zone database, which is never freed.
  const void* zone_ = nullptr;
};

// Parses a Schedule's spec.schedule as robfig's ParseStandard does: five fields (minute hour
// day-of-month month day-of-week) with `*`, `?`, lists, ranges, steps and the names JAN-DEC and
// SUN-SAT; the descriptors @yearly @annually @monthly @weekly @daily @midnight @hourly and
// `@every <Go duration>`; an optional `CRON_TZ=<zone> ` or `TZ=<zone> ` prefix.
// Errors are InvalidArgument naming the bad field and value, e.g.
//   cron "0 25 * * *": hour 25 is out of range 0-23
// One deliberate difference: `@every` with a zero or negative duration is rejected, where
// robfig silently runs it every second.
core::Result<CronSchedule> parse_cron(std::string_view text);

// The first activation strictly after `t`, or nullopt when there is none within robfig's
// horizon (it gives up after the end of the year five years ahead of `t` in the schedule's
// zone, e.g. for "0 0 30 2 *") or when the answer is past what system_clock can hold.
// Activations are whole minutes for calendar schedules; for @every it is t rounded down to
// the second plus the interval. Never loops for long: bounded by the five-year horizon.
std::optional<TimePoint> next_after(const CronSchedule& schedule, TimePoint t);

// The gap between the next two activations after `now` (the metric
// schedule_expected_interval_seconds); nullopt when there are not two.
std::optional<std::chrono::seconds> expected_interval(const CronSchedule& schedule, TimePoint now);

}  // namespace stillpoint::schedule

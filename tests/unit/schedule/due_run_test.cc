// due_run and backup_name_for: the server's per-tick decision for one Schedule, as Velero's
// schedule controller takes it.
#include "schedule/due_run.h"

#include <optional>

#include <gtest/gtest.h>

#include "unit/schedule/time_text.h"

namespace stillpoint::schedule {
namespace {

using testing::to_text;
using testing::utc;

CronSchedule parsed(const char* text) {
  auto s = parse_cron(text);
  EXPECT_TRUE(s) << s.error().message;
  return *s;
}

// A schedule that never ran backs up at once, then looks again at the next activation.
TEST(DueRun, NeverRanRunsImmediately) {
  const auto hourly = parsed("0 * * * *");
  const auto d = due_run(hourly, std::nullopt, utc("2026-01-01T10:20:00Z"), false,
                         utc("2026-01-01T10:20:05Z"));
  EXPECT_TRUE(d.due);
  ASSERT_TRUE(d.next);
  EXPECT_EQ(to_text(*d.next), "2026-01-01T11:00:00Z");
}

// skipImmediately: a new schedule waits for its first activation after creation.
TEST(DueRun, SkipImmediatelyWaitsForTheFirstActivation) {
  const auto hourly = parsed("0 * * * *");
  const TimePoint created = utc("2026-01-01T10:20:00Z");
  const auto before = due_run(hourly, std::nullopt, created, true, utc("2026-01-01T10:59:59Z"));
  EXPECT_FALSE(before.due);
  ASSERT_TRUE(before.next);
  EXPECT_EQ(to_text(*before.next), "2026-01-01T11:00:00Z");
  const auto at = due_run(hourly, std::nullopt, created, true, utc("2026-01-01T11:00:00Z"));
  EXPECT_TRUE(at.due);
  EXPECT_EQ(to_text(*at.next), "2026-01-01T12:00:00Z");
}

// After a backup, the schedule is due exactly when the next activation has come.
TEST(DueRun, DueAtTheNextActivationAfterTheLastBackup) {
  const auto daily = parsed("30 2 * * *");
  const TimePoint last = utc("2026-01-01T02:30:01Z");
  const auto early =
      due_run(daily, last, utc("2025-12-01T00:00:00Z"), false, utc("2026-01-02T02:29:59Z"));
  EXPECT_FALSE(early.due);
  EXPECT_EQ(to_text(*early.next), "2026-01-02T02:30:00Z");
  const auto on_time =
      due_run(daily, last, utc("2025-12-01T00:00:00Z"), false, utc("2026-01-02T02:30:00Z"));
  EXPECT_TRUE(on_time.due);
  EXPECT_EQ(to_text(*on_time.next), "2026-01-03T02:30:00Z");
}

// A server down for three days makes ONE catch-up backup, then waits for the next activation.
TEST(DueRun, MissedRunsGiveOneCatchUpBackup) {
  const auto hourly = parsed("0 * * * *");
  const TimePoint last = utc("2026-01-01T10:00:00Z");
  const TimePoint back = utc("2026-01-04T10:17:00Z");
  const auto first = due_run(hourly, last, last, false, back);
  EXPECT_TRUE(first.due);
  ASSERT_TRUE(first.next);
  EXPECT_EQ(to_text(*first.next), "2026-01-04T11:00:00Z");
  // The server records the backup made at `back`; a tick a second later is not due.
  const auto second = due_run(hourly, back, last, false, back + std::chrono::seconds(1));
  EXPECT_FALSE(second.due);
  EXPECT_EQ(to_text(*second.next), "2026-01-04T11:00:00Z");
}

// @every counts from the last backup, not from the clock.
TEST(DueRun, EveryCountsFromTheLastBackup) {
  const auto every = parsed("@every 90m");
  const TimePoint last = utc("2026-01-01T10:00:00.700Z");
  const auto d = due_run(every, last, last, false, utc("2026-01-01T11:00:00Z"));
  EXPECT_FALSE(d.due);
  EXPECT_EQ(to_text(*d.next), "2026-01-01T11:30:00Z");
}

// A schedule that can never fire is never due, and has nothing to wait for.
TEST(DueRun, ImpossibleScheduleIsNeverDue) {
  const auto never = parsed("0 0 30 2 *");
  const auto d = due_run(never, utc("2026-01-01T00:00:00Z"), utc("2026-01-01T00:00:00Z"), false,
                         utc("2027-01-01T00:00:00Z"));
  EXPECT_FALSE(d.due);
  EXPECT_FALSE(d.next);
}

// Velero's TimestampedName: Go's Format("20060102150405") of the UTC time, seconds truncated.
TEST(BackupName, ScheduleNameAndUtcTimestamp) {
  EXPECT_EQ(backup_name_for("nightly", utc("2026-03-29T01:02:03.999Z")), "nightly-20260329010203");
  EXPECT_EQ(backup_name_for("a", utc("2026-12-31T23:59:59Z")), "a-20261231235959");
  EXPECT_EQ(backup_name_for("old", utc("1969-12-31T23:59:59.5Z")), "old-19691231235959");
}

}  // namespace
}  // namespace stillpoint::schedule

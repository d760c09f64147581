// parse_cron: what robfig/cron v3's ParseStandard accepts (and Velero with it), and the
// messages for what it refuses, which name the field and the value.
#include <string>

#include <gtest/gtest.h>

#include "schedule/cron_schedule.h"
#include "unit/schedule/time_text.h"

namespace stillpoint::schedule {
namespace {

using testing::to_text;
using testing::utc;

struct InvalidCase {
  std::string text;
  std::string message;
};

// Every refused expression is InvalidArgument, and the message says what is wrong with what.
TEST(CronParse, RefusesWithClearMessages) {
  const InvalidCase cases[] = {
      {"", R"(cron "": the schedule is empty)"},
      {"0 0 * * * *",
       R"(cron "0 0 * * * *": expected exactly 5 fields (minute hour day-of-month month day-of-week), found 6)"},
      {"0 0 * *",
       R"(cron "0 0 * *": expected exactly 5 fields (minute hour day-of-month month day-of-week), found 4)"},
      {"   ",
       R"(cron "   ": expected exactly 5 fields (minute hour day-of-month month day-of-week), found 0)"},
      {"60 * * * *", R"(cron "60 * * * *": minute 60 is out of range 0-59)"},
      {"0 25 * * *", R"(cron "0 25 * * *": hour 25 is out of range 0-23)"},
      {"0 0 0 * *", R"(cron "0 0 0 * *": day-of-month 0 is out of range 1-31)"},
      {"0 0 1 13 *", R"(cron "0 0 1 13 *": month 13 is out of range 1-12)"},
      {"0 0 * * 7",
       R"(cron "0 0 * * 7": day-of-week 7 is out of range 0-6 (Sunday is 0; 7 is not accepted))"},
      {"0 0 * * 5-7",
       R"(cron "0 0 * * 5-7": day-of-week 7 is out of range 0-6 (Sunday is 0; 7 is not accepted))"},
      {"*/0 * * * *", R"(cron "*/0 * * * *": minute step 0 in "*/0" must be positive)"},
      {"*/-1 * * * *", R"(cron "*/-1 * * * *": minute step -1 in "*/-1" must be positive)"},
      {"*/x * * * *", R"(cron "*/x * * * *": minute step "x" in "*/x" is not a number)"},
      {"5-1 * * * *", R"(cron "5-1 * * * *": minute range "5-1" starts after it ends (5 > 1))"},
      {"1-2-3 * * * *", R"(cron "1-2-3 * * * *": minute "1-2-3" has more than one "-")"},
      {"1/2/3 * * * *", R"(cron "1/2/3 * * * *": minute "1/2/3" has more than one "/")"},
      {"-5 * * * *", R"(cron "-5 * * * *": minute "" is not a number)"},
      {"0 0 * * FOO", R"(cron "0 0 * * FOO": day-of-week "FOO" is not a number or a name SUN-SAT)"},
      {"0 0 * FOO *", R"(cron "0 0 * FOO *": month "FOO" is not a number or a name JAN-DEC)"},
      {"0 0 * * MONDAY",
       R"(cron "0 0 * * MONDAY": day-of-week "MONDAY" is not a number or a name SUN-SAT)"},
      {"MON * * * *", R"(cron "MON * * * *": minute "MON" is not a number)"},
      {"0 0 1 * 1;rm",
       R"(cron "0 0 1 * 1;rm": day-of-week "1;rm" is not a number or a name SUN-SAT)"},
      {"0 0 1 * $\x01",
       "cron \"0 0 1 * $\\x01\": day-of-week \"$\\x01\" is not a number or a name SUN-SAT"},
      {"99999999999999999999 * * * *",
       R"(cron "99999999999999999999 * * * *": minute "99999999999999999999" is not a number)"},
      // U+200B ZERO WIDTH SPACE is not a space to Go: four fields.
      {"0\u200b0 * * *",
       "cron \"0\u200b0 * * *\": expected exactly 5 fields (minute hour day-of-month month "
       "day-of-week), found 4"},
      {"CRON_TZ=Mars/Base 0 0 * * *",
       R"(cron "CRON_TZ=Mars/Base 0 0 * * *": unknown time zone "Mars/Base")"},
      {"TZ=../../etc/passwd 0 0 * * *",
       R"(cron "TZ=../../etc/passwd 0 0 * * *": invalid time zone name "../../etc/passwd")"},
      {"TZ=Europe/Berlin",
       R"(cron "TZ=Europe/Berlin": a time zone prefix must be followed by a space and the schedule)"},
      {"CRON_TZ=UTC ",
       R"(cron "CRON_TZ=UTC ": expected exactly 5 fields (minute hour day-of-month month day-of-week), found 0)"},
      {"@every 0s", R"(cron "@every 0s": @every needs a positive duration, got "0s")"},
      {"@every -5m", R"(cron "@every -5m": @every needs a positive duration, got "-5m")"},
      {"@every bogus",
       R"(cron "@every bogus": @every needs a Go duration such as 90m or 1h30m: time: invalid duration "bogus")"},
      {"@every 10",
       R"(cron "@every 10": @every needs a Go duration such as 90m or 1h30m: time: missing unit in duration "10")"},
      {"@every",
       R"(cron "@every": unknown descriptor "@every" (accepted: @yearly @annually @monthly @weekly @daily @midnight @hourly @every <duration>))"},
      {"@reboot",
       R"(cron "@reboot": unknown descriptor "@reboot" (accepted: @yearly @annually @monthly @weekly @daily @midnight @hourly @every <duration>))"},
      {"@DAILY",
       R"(cron "@DAILY": unknown descriptor "@DAILY" (accepted: @yearly @annually @monthly @weekly @daily @midnight @hourly @every <duration>))"},
      {"@daily ",
       R"(cron "@daily ": unknown descriptor "@daily " (accepted: @yearly @annually @monthly @weekly @daily @midnight @hourly @every <duration>))"},
  };
  ASSERT_GE(std::size(cases), 12u);
  for (const InvalidCase& c : cases) {
    SCOPED_TRACE(c.text);
    auto schedule = parse_cron(c.text);
    ASSERT_FALSE(schedule);
    EXPECT_EQ(schedule.error().code, core::ErrorCode::InvalidArgument);
    EXPECT_EQ(schedule.error().message, c.message);
  }
}

// robfig's grammar has corners that Velero users may rely on: all of these parse.
TEST(CronParse, AcceptsWhatRobfigAccepts) {
  for (const char* text : {
           "0 0 * * ?",  // ? is * in any field
           "? ? ? ? ?",
           "0 0 * jan-DEC Sun",  // names in any case
           "0 0 * * mon,WED,fri",
           "*-5 * * * *",    // robfig ignores what follows a star's "-"
           "+5 * * * *",     // strconv.Atoi takes a sign
           "0 0 1,,15 * *",  // empty list items are skipped
           "5/15 * * * *",   // N/step is N-max/step
           "*/99999999999 * * * *",
           "0\t0 *\n* *",  // any Unicode space separates fields (strings.Fields)
           "0\u00a00 * * *",
           "0\u20030\u3000*\u2028*\u0085*",     // em space, ideographic space, line separator, NEL
           "CRON_TZ=Europe/Berlin   @daily  ",  // a zone prefix trims the rest
           "TZ= 0 0 * * *",                     // an empty zone is UTC
           "TZ=UTC 0 0 * * *", "TZ=Local 0 0 * * *", "@every 1h30m",
           "@every 500ms",  // under a second: robfig runs it every second
       }) {
    SCOPED_TRACE(text);
    auto schedule = parse_cron(text);
    EXPECT_TRUE(schedule) << schedule.error().message;
  }
}

TEST(CronParse, KeepsTextZoneAndInterval) {
  auto berlin = parse_cron("CRON_TZ=Europe/Berlin 0 3 * * *");
  ASSERT_TRUE(berlin);
  EXPECT_EQ(berlin->text(), "CRON_TZ=Europe/Berlin 0 3 * * *");
  EXPECT_EQ(berlin->zone_name(), "Europe/Berlin");
  EXPECT_EQ(berlin->every().count(), 0);
  auto utc_prefix = parse_cron("TZ=UTC 0 3 * * *");
  ASSERT_TRUE(utc_prefix);
  EXPECT_EQ(utc_prefix->zone_name(), "");
  auto every = parse_cron("@every 1h30m10.9s");
  ASSERT_TRUE(every);
  EXPECT_EQ(every->every().count(), 5410);  // truncated to whole seconds, as robfig's Every
  auto tiny = parse_cron("@every 1ns");
  ASSERT_TRUE(tiny);
  EXPECT_EQ(tiny->every().count(), 1);
}

// A star with a step above 1 is no longer a star for the day rule (robfig clears starBit):
// "*/2" in day-of-month with a restricted day-of-week fires on either. "*/1" stays a star.
TEST(CronParse, StepOnStarChangesTheDayRule) {
  auto either = parse_cron("0 0 */2 * MON");
  ASSERT_TRUE(either);
  // 2026-01-02 is a Friday (day 2 is not odd): next is the 3rd (odd day), not Monday the 5th.
  EXPECT_EQ(to_text(*next_after(*either, utc("2026-01-02T00:00:00Z"))), "2026-01-03T00:00:00Z");
  auto both = parse_cron("0 0 */1 * MON");
  ASSERT_TRUE(both);
  EXPECT_EQ(to_text(*next_after(*both, utc("2026-01-02T00:00:00Z"))), "2026-01-05T00:00:00Z");
}

// Descriptors are the fields they stand for.
TEST(CronParse, DescriptorsEqualTheirFields) {
  const std::pair<const char*, const char*> pairs[] = {
      {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
      {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
      {"@hourly", "0 * * * *"},
  };
  for (const auto& [descriptor, fields] : pairs) {
    SCOPED_TRACE(descriptor);
    auto a = parse_cron(descriptor);
    auto b = parse_cron(fields);
    ASSERT_TRUE(a && b);
    TimePoint ta = utc("2026-02-27T13:14:15Z");
    TimePoint tb = ta;
    for (int i = 0; i < 5; ++i) {
      ta = *next_after(*a, ta);
      tb = *next_after(*b, tb);
      EXPECT_EQ(to_text(ta), to_text(tb));
    }
  }
}

}  // namespace
}  // namespace stillpoint::schedule

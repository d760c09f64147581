#include "core/go_duration.h"

#include <cstdint>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace stillpoint::core {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// Hook timeouts accept exactly what Go's time.ParseDuration accepts.
TEST(GoDuration, ParsesGoSyntax) {
  struct Case {
    const char* text;
    Duration want;
  } cases[] = {
      {"0", Duration{0}},
      {"300ms", milliseconds(300)},
      {"45s", seconds(45)},
      {"5m3s", minutes(5) + seconds(3)},
      {"1.5h", minutes(90)},
      {"+2m", minutes(2)},
      {"-1s", seconds(-1)},
      {".5s", milliseconds(500)},
      {"1h2m3.5s", hours(1) + minutes(2) + milliseconds(3500)},
      {"10us", std::chrono::microseconds(10)},
      {"10\xC2\xB5s", std::chrono::microseconds(10)},
      {"7ns", Duration{7}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto d = parse_go_duration(c.text);
    ASSERT_TRUE(d.has_value()) << d.error().message;
    EXPECT_EQ(*d, c.want);
  }
}

// A unitless number is invalid (velero#2599); the message is Go's.
TEST(GoDuration, RejectsWithGoMessages) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"300", "time: missing unit in duration \"300\""},
      {"", "time: invalid duration \"\""},
      {"5x", "time: unknown unit \"x\" in duration \"5x\""},
      {"s", "time: invalid duration \"s\""},
      {".s", "time: invalid duration \".s\""},
      {"1.2.3s", "time: missing unit in duration \"1.2.3s\""},
      {"99999999999999999999h", "time: invalid duration \"99999999999999999999h\""},
      {"3000000h", "time: invalid duration \"3000000h\""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto d = parse_go_duration(c.text);
    ASSERT_FALSE(d.has_value());
    EXPECT_EQ(d.error().message, c.message);
  }
}

// Durations print as Go's Duration.String() so users see "1m0s", not "60s".
TEST(GoDuration, FormatsLikeGo) {
  EXPECT_EQ(format_go_duration(Duration{0}), "0s");
  EXPECT_EQ(format_go_duration(seconds(30)), "30s");
  EXPECT_EQ(format_go_duration(minutes(1)), "1m0s");
  EXPECT_EQ(format_go_duration(hours(4)), "4h0m0s");
  EXPECT_EQ(format_go_duration(minutes(10)), "10m0s");
  EXPECT_EQ(format_go_duration(milliseconds(1500)), "1.5s");
  EXPECT_EQ(format_go_duration(milliseconds(300)), "300ms");
  EXPECT_EQ(format_go_duration(std::chrono::microseconds(1)), "1\xC2\xB5s");
  EXPECT_EQ(format_go_duration(Duration{5}), "5ns");
  EXPECT_EQ(format_go_duration(seconds(-90)), "-1m30s");
  EXPECT_EQ(format_go_duration(hours(1) + seconds(1) + milliseconds(5)), "1h0m1.005s");
}

// The extremes of int64 nanoseconds print and read back as Go does.
TEST(GoDuration, RoundTripsExtremes) {
  for (int64_t n : {INT64_MIN, INT64_MIN + 1, INT64_MAX, int64_t{0}, int64_t{-1}}) {
    SCOPED_TRACE(n);
    auto parsed = parse_go_duration(format_go_duration(Duration{n}));
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    EXPECT_EQ(parsed->count(), n);
  }
  EXPECT_EQ(format_go_duration(Duration{INT64_MIN}), "-2562047h47m16.854775808s");
}

// What stillpoint prints as a duration reads back as the same duration, for every value.
RC_GTEST_PROP(GoDurationProperty, FormatThenParseRoundTrips, (int64_t nanos)) {
  const Duration d{nanos};
  const std::string text = format_go_duration(d);
  auto parsed = parse_go_duration(text);
  RC_ASSERT(parsed.has_value());
  RC_ASSERT(parsed->count() == nanos);
}

}  // namespace
}  // namespace stillpoint::core

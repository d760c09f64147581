#include "unit/schedule/time_text.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace stillpoint::schedule::testing {

TimePoint utc(std::string_view text) {
  const std::string s(text);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, used = 0;
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d%n", &y, &mo, &d, &h, &mi, &sec, &used) != 6) {
    std::fprintf(stderr, "bad time in a test table: %s\n", s.c_str());
    std::abort();
  }
  std::chrono::nanoseconds fraction{0};
  std::size_t i = static_cast<std::size_t>(used);
  if (i < s.size() && s[i] == '.') {
    long long scale = 100'000'000;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, scale /= 10) {
      fraction += std::chrono::nanoseconds((s[i] - '0') * scale);
    }
  }
  const std::chrono::sys_days day{std::chrono::year{y} / mo / d};
  return TimePoint(day) + std::chrono::hours(h) + std::chrono::minutes(mi) +
         std::chrono::seconds(sec) + std::chrono::duration_cast<TimePoint::duration>(fraction);
}

std::string to_text(TimePoint t) {
  const auto secs = std::chrono::floor<std::chrono::seconds>(t);
  const auto day = std::chrono::floor<std::chrono::days>(secs);
  const std::chrono::year_month_day ymd{day};
  const long long s = (secs - day).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lldZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), s / 3600, s / 60 % 60, s % 60);
  return buf;
}

}  // namespace stillpoint::schedule::testing

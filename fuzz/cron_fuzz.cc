// Cron schedules come from users' Schedule objects: parse anything, and when it parses, the
// next activations exist or not without crashing, looping for long, or going backwards.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "schedule/cron_schedule.h"
#include "schedule/due_run.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace sch = stillpoint::schedule;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto schedule = sch::parse_cron(text);
  if (!schedule) {
    if (schedule.error().message.empty()) {
      std::abort();
    }
    return 0;
  }
  // 2026-03-29T00:59:30Z: half a minute before Europe's spring-forward.
  sch::TimePoint t{std::chrono::seconds(1774745970)};
  for (int i = 0; i < 3; ++i) {
    const auto next = sch::next_after(*schedule, t);
    if (!next) {
      break;
    }
    if (*next <= t) {
      std::abort();
    }
    t = *next;
  }
  (void)sch::expected_interval(*schedule, t);
  (void)sch::due_run(*schedule, std::nullopt, t, true, t + std::chrono::hours(1));
  return 0;
}

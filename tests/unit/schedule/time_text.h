// RFC 3339 UTC instants ("2026-03-29T01:30:00.5Z") for the schedule tables, both ways.
#pragma once

#include <string>
#include <string_view>

#include "schedule/cron_schedule.h"

namespace stillpoint::schedule::testing {

// Aborts the test binary on text it cannot read: the tables are fixed.
TimePoint utc(std::string_view text);
// Whole seconds: "2026-03-29T01:30:00Z".
std::string to_text(TimePoint t);

}  // namespace stillpoint::schedule::testing

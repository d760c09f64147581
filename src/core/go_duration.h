// Go's time.Duration text format, parsed and printed exactly as Go does.
//
// Velero's hook timeouts are Go durations ("30s", "5m3s", "1.5h"), both in pod annotations and
// in Backup/Restore specs (metav1.Duration), and users read them back in Go's String() form
// ("1m0s", "4h0m0s"). Compatibility depends on matching Go's grammar, including its errors:
// a unitless "300" is invalid (velero#2599), only "0" may omit the unit.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/result.h"

namespace stillpoint::core {

using Duration = std::chrono::nanoseconds;

// time.ParseDuration. Error messages are Go's ("time: missing unit in duration \"300\"").
Result<Duration> parse_go_duration(std::string_view text);

// time.Duration.String(): "0s", "300ms", "1.5s", "1m0s", "4h0m0s".
std::string format_go_duration(Duration d);

}  // namespace stillpoint::core

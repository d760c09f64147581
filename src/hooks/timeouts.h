// Bounding declared durations: Velero (PR #10125) maps ≤ 0 to the 30s default and caps at
// 4h (maxHookTimeout); stillpoint does the same and says so when it changes a value.
#pragma once

#include <optional>
#include <string>

#include "hooks/model.h"

namespace stillpoint::hooks {

// Exec timeouts are capped at 4h (Velero's maxHookTimeout). Waits are not: Velero does not
// cap waitTimeout, and a restore may legitimately wait longer for a slow container.
enum class DurationBound { CappedAt4h, Uncapped };

struct BoundedDuration {
  std::optional<Duration> value;  // nullopt: the default applies
  std::string note;               // non-empty when the declared value was not used as is
};

// ≤ 0 → default (noted when negative); > kMaxHookTimeout → capped (noted).
BoundedDuration bound_hook_timeout(Duration declared,
                                   DurationBound bound = DurationBound::CappedAt4h);

// Parses a Go duration from an annotation or spec value and bounds it. `key` and the value
// are named in notes; `default_text` describes the fallback ("the default 30s").
struct ParsedDuration {
  std::optional<Duration> value;
  std::string problem;  // empty when the value was used as written
};
ParsedDuration parse_hook_duration(const std::string& key,
                                   const std::string& value,
                                   const std::string& default_text,
                                   DurationBound bound = DurationBound::CappedAt4h);

}  // namespace stillpoint::hooks

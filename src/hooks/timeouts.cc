#include "hooks/timeouts.h"

#include "core/text.h"

namespace stillpoint::hooks {

BoundedDuration bound_hook_timeout(Duration declared, DurationBound bound) {
  if (declared < Duration::zero()) {
    return {std::nullopt, "is negative"};
  }
  if (declared == Duration::zero()) {
    return {std::nullopt, ""};
  }
  if (bound == DurationBound::CappedAt4h && declared > kMaxHookTimeout) {
    return {kMaxHookTimeout,
            "is above the maximum " + core::format_go_duration(kMaxHookTimeout)};
  }
  return {declared, ""};
}

ParsedDuration parse_hook_duration(const std::string& key,
                                   const std::string& value,
                                   const std::string& default_text,
                                   DurationBound bound) {
  auto parsed = core::parse_go_duration(value);
  if (!parsed) {
    return {std::nullopt, key + " " + core::go_quote(value) + " is not a duration (" +
                              parsed.error().message + "); " + default_text + " applies"};
  }
  BoundedDuration bounded = bound_hook_timeout(*parsed, bound);
  if (bounded.note.empty()) {
    return {bounded.value, ""};
  }
  const std::string applies =
      bounded.value ? core::format_go_duration(*bounded.value) + " applies" : default_text + " applies";
  return {bounded.value, key + " " + core::go_quote(value) + " " + bounded.note + "; " + applies};
}

}  // namespace stillpoint::hooks

// Reading the process environment, where an unset variable and an empty one mean the same:
// "not configured" (as the AWS CLI and XDG treat them).
#pragma once

#include <cstdlib>
#include <string>

namespace stillpoint::core {

inline std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

}  // namespace stillpoint::core

// A flag value check shared by the commands that take Go durations (--hook-wait-timeout):
// a positive Go duration, else a usage error (exit 2) saying what is wrong.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "core/go_duration.h"

namespace stillpoint::cli {

inline const CLI::Validator& positive_go_duration() {
  static const CLI::Validator validator(
      [](std::string& value) -> std::string {
        auto d = core::parse_go_duration(value);
        if (!d) return d.error().message;
        if (*d <= core::Duration::zero()) return "must be a positive duration such as 10m or 90s";
        return {};
      },
      "DURATION");
  return validator;
}

}  // namespace stillpoint::cli

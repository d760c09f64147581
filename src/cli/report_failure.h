// How a command ends on an error it cannot go past: `error: <message>` on stderr, exit 1.
// One place, so every command words failures alike and scripts can grep for them.
#pragma once

#include <cstdio>

#include "cli/exit_codes.h"
#include "core/result.h"

namespace stillpoint::cli {

inline int report_failure(const core::Error& error) {
  std::fprintf(stderr, "error: %s\n", error.message.c_str());
  return kExitFailed;
}

}  // namespace stillpoint::cli

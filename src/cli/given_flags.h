// Whether the user typed an option, for commands whose behaviour depends on it (`backup delete`
// deletes from a location only when --storage or an --s3-* flag is given; `backup create
// --from-schedule` refuses spec flags). CLI11 also counts an option set from its environment
// variable (STILLPOINT_S3_ENDPOINT); a variable exported for every command is no choice made
// for this one, so it does not count.
#pragma once

#include <cstdlib>
#include <string>

#include <CLI/CLI.hpp>

namespace stillpoint::cli {

inline bool given_on_command_line(const CLI::Option& option) {
  if (option.count() == 0)
    return false;
  const std::string env = option.get_envname();
  return env.empty() || std::getenv(env.c_str()) == nullptr;
}

}  // namespace stillpoint::cli

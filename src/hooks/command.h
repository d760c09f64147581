// Velero's parseStringToCommand (internal/hook/item_hook_handler.go), used for every command
// annotation: a value whose first byte is `[` is a JSON array of strings; anything else is
// ONE argv element (never split on spaces, never run through a shell).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stillpoint::hooks {

struct ParsedCommand {
  std::vector<std::string> argv;
  // Set when `[`-prefixed text is not a JSON array of strings: argv then holds the raw value
  // as one element (Velero's fallback) and this says why.
  std::optional<std::string> json_error;
};

ParsedCommand parse_command(std::string_view value);

// True when a one-element command looks like a shell line that was meant to be split
// ("pg_dump -U app > /x"): a common mistake, since it runs as a single executable name.
bool looks_like_unsplit_command(const std::vector<std::string>& argv);

}  // namespace stillpoint::hooks

// `stillpoint restore ...`: create (restore_create_command.cc) and get / describe / logs
// (restore_read_commands.cc, on read_commands.h).
#pragma once

#include "cli/commands.h"

namespace stillpoint::cli {

void add_restore_create_command(CLI::App& restore, Action& action);

}  // namespace stillpoint::cli

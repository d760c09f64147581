// `stillpoint backup ...`: create (backup_create_command.cc) and get / describe / logs /
// delete (backup_read_commands.cc, on read_commands.h).
#pragma once

#include "cli/commands.h"

namespace stillpoint::cli {

void add_backup_create_command(CLI::App& backup, Action& action);

}  // namespace stillpoint::cli

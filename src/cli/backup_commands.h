// `stillpoint backup ...`: create (backup_create_command.cc), delete
// (backup_delete_command.cc) and get / describe / logs (backup_read_commands.cc, on
// read_commands.h).
#pragma once

#include "cli/commands.h"

namespace stillpoint::cli {

void add_backup_create_command(CLI::App& backup, Action& action);
// backup_delete_command.cc: through the server (a DeleteBackupRequest), or from a location.
void add_backup_delete_command(CLI::App& backup, Action& action);

}  // namespace stillpoint::cli

// The command table: each entry adds its subcommand (flags, help) to the app and sets the
// action to run once arguments parse. `run` dispatches through it (ninja's tool table).
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace stillpoint::cli {

using Action = std::function<int()>;

void add_version_command(CLI::App& app, Action& action);
void add_hooks_commands(CLI::App& app, Action& action);
void add_backup_commands(CLI::App& app, Action& action);
void add_restore_commands(CLI::App& app, Action& action);
void add_schedule_commands(CLI::App& app, Action& action);
void add_cluster_commands(CLI::App& app, Action& action);
void add_location_commands(CLI::App& app, Action& action);
void add_server_command(CLI::App& app, Action& action);
void add_install_command(CLI::App& app, Action& action);

// Entry point behind main(): parses argv, runs the chosen command, returns the exit code.
int run(int argc, char** argv);

}  // namespace stillpoint::cli

#include <cstdio>
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace stillpoint::cli {

int run(int argc, char** argv) {
  CLI::App app{
      "stillpoint takes application-consistent backups of Kubernetes workloads: it runs hooks "
      "inside pod containers to quiesce applications around the moment their data is "
      "captured, reading Velero's hook annotations and Backup/Restore specs unchanged.\n\n"
      "Exit codes: 0 ok, 1 failed (or problems found), 2 usage, 130 interrupted.",
      "stillpoint"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every command");
  app.failure_message(CLI::FailureMessage::help);

  using AddCommand = void (*)(CLI::App&, Action&);
  static constexpr AddCommand kCommands[] = {
      add_backup_commands, add_restore_commands,  add_cluster_commands,
      add_location_commands, add_hooks_commands, add_version_command};
  Action action;
  for (AddCommand add : kCommands) {
    add(app, action);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  try {
    return action ? action() : kExitUsage;
  } catch (const std::exception& e) {
    // Last resort: library code reports errors as values; anything thrown is a bug.
    std::fprintf(stderr, "stillpoint: internal error: %s\n", e.what());
    return kExitFailed;
  }
}

}  // namespace stillpoint::cli

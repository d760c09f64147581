// The `schedule` command group and what its commands share.
#include "cli/schedule_commands.h"

#include <CLI/CLI.hpp>

namespace stillpoint::cli {

void add_schedule_api_flags(CLI::App& command, ScheduleApiFlags& flags) {
  command.add_option("-n,--namespace", flags.ns,
                     "The server's namespace, where the Schedules are (default stillpoint)");
  command
      .add_option("--api-group", flags.api_group,
                  "The server's API group (default stillpoint.io; velero.io for Velero's "
                  "CRDs)")
      ->check(CLI::IsMember({"stillpoint.io", "velero.io"}));
  add_cluster_flags(command, flags.cluster);
}

std::string schedule_not_found(const std::string& name, const std::string& ns) {
  return "schedule \"" + name + "\" not found in namespace " + ns;
}

void add_schedule_commands(CLI::App& app, Action& action) {
  CLI::App* schedule = app.add_subcommand(
      "schedule",
      "Backups on a cron schedule, made by `stillpoint server`: create and inspect its "
      "Schedule objects");
  schedule->require_subcommand(1);
  add_schedule_create_command(*schedule, action);
  add_schedule_read_commands(*schedule, action);
  add_schedule_change_commands(*schedule, action);
}

}  // namespace stillpoint::cli

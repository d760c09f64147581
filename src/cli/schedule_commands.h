// `stillpoint schedule create | get | describe | pause | unpause | delete`: the Schedule
// objects of the in-cluster server (docs/schedules.md), created and read through the API
// server. The CLI does not run schedules: the server validates the cron text, makes the
// backups and records its status; these commands only write specs and read what the server
// wrote.
#pragma once

#include <string>

#include "cli/cluster_flags.h"
#include "cli/commands.h"

namespace stillpoint::cli {

// Where the Schedules are: the server's namespace and API group, and the cluster.
struct ScheduleApiFlags {
  std::string ns = "stillpoint";
  std::string api_group = "stillpoint.io";
  ClusterFlags cluster;
};

// -n/--namespace, --api-group and the cluster flags.
void add_schedule_api_flags(CLI::App& command, ScheduleApiFlags& flags);

// `schedule "NAME" not found in namespace NS`.
std::string schedule_not_found(const std::string& name, const std::string& ns);

void add_schedule_create_command(CLI::App& schedule, Action& action);
void add_schedule_read_commands(CLI::App& schedule, Action& action);    // get, describe
void add_schedule_change_commands(CLI::App& schedule, Action& action);  // pause, unpause, delete

}  // namespace stillpoint::cli

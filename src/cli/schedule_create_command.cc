// `stillpoint schedule create NAME --schedule CRON`: a Schedule object for the server, its
// spec.template written by the same flags as `backup create` writes a Backup's spec
// (backup_spec_flags.h), over --from-file's Schedule when given. The template is checked as
// `backup create` checks a spec; the cron text only for being there (the server judges it and
// marks the Schedule FailedValidation).
#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>

#include "catalog/backup_catalog.h"
#include "cli/api_calls.h"
#include "cli/backup_spec_flags.h"
#include "cli/exit_codes.h"
#include "cli/operation_flags.h"
#include "cli/operation_object.h"
#include "cli/report_failure.h"
#include "cli/schedule_commands.h"
#include "operation/backup_request_from_object.h"
#include "server/api_resources.h"

namespace stillpoint::cli {
namespace {

using nlohmann::json;

struct CreateOptions {
  std::string name;
  std::string schedule;
  OperationFlags object;  // --from-file and the filter flags only
  BackupSpecFlags spec;
  bool paused = false;
  bool skip_immediately = false;
  bool owner_references = false;
  std::string output = "text";
  ScheduleApiFlags api;
};

// The Schedule to create: --from-file's (metadata.labels and annotations kept), each given
// flag written over it. InvalidArgument for a missing name or cron text, or a template that
// `backup create` would refuse.
core::Result<json> build_schedule(const CreateOptions& o, const CLI::App& cmd) {
  auto loaded = load_operation_object(o.object.from_file, "Schedule");
  if (!loaded)
    return core::unexpected(loaded.error());
  json& spec = loaded->object["spec"];
  if (!spec.contains("template") || !spec["template"].is_object()) {
    spec["template"] = json::object();
  }
  if (auto s = write_backup_spec_flags(o.object.filter, o.spec, spec["template"]); !s) {
    return core::unexpected(s.error());
  }
  if (cmd.count("--schedule") > 0)
    spec["schedule"] = o.schedule;
  if (cmd.count("--paused") > 0)
    spec["paused"] = o.paused;
  if (cmd.count("--skip-immediately") > 0)
    spec["skipImmediately"] = o.skip_immediately;
  if (cmd.count("--use-owner-references-in-backup") > 0) {
    spec["useOwnerReferencesInBackup"] = o.owner_references;
  }
  const std::string name = operation_name(o.name, loaded->object);
  if (name.empty()) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "a schedule name is required (argument NAME or metadata.name)");
  }
  // Its backups are named <schedule>-<timestamp>: a name that is no backup name is refused now.
  if (auto why = catalog::check_backup_name(name); !why.empty()) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "schedule name \"" + name + "\": " + why);
  }
  if (!spec.contains("schedule") || !spec["schedule"].is_string() ||
      spec["schedule"].get<std::string>().find_first_not_of(" \t") == std::string::npos) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "schedule \"" + name +
                                "\": a cron schedule is required (--schedule \"0 1 * * *\" or "
                                "spec.schedule)");
  }
  const json as_backup = {{"metadata", {{"name", name}}}, {"spec", spec["template"]}};
  auto checked = operation::backup_request_from_object(as_backup, loaded->origin + " (template)",
                                                       operation::BackupRunSettings{});
  if (!checked)
    return core::unexpected(checked.error());
  json metadata = {{"name", name}, {"namespace", o.api.ns}};
  const json given = loaded->object.value("metadata", json::object());
  for (const char* key : {"labels", "annotations"}) {
    if (given.is_object() && given.contains(key))
      metadata[key] = given[key];
  }
  return json{{"apiVersion", o.api.api_group + "/v1"},
              {"kind", "Schedule"},
              {"metadata", metadata},
              {"spec", spec}};
}

int run_create(const CreateOptions& o, const CLI::App& cmd) {
  auto schedule = build_schedule(o, cmd);
  if (!schedule)
    return report_failure(schedule.error());
  auto api = ApiCalls::connect(o.api.cluster);
  if (!api)
    return report_failure(api.error());
  const server::ApiResources resources(o.api.api_group);
  const std::string name = (*schedule)["metadata"]["name"];
  auto created = (*api)->create(resources.schedules, o.api.ns, *schedule);
  if (!created) {
    if (created.error().code == core::ErrorCode::Conflict) {
      return report_failure({core::ErrorCode::Conflict,
                             "schedule \"" + name + "\" already exists in namespace " + o.api.ns +
                                 " (stillpoint schedule describe " + name + ")"});
    }
    return report_failure(created.error());
  }
  if (o.output == "json") {
    std::printf("%s\n", created->dump(2).c_str());
  } else {
    std::printf(
        "Schedule \"%s\" created in namespace %s (\"%s\"); the server validates it and "
        "makes its backups: stillpoint schedule describe %s\n",
        name.c_str(), o.api.ns.c_str(), (*schedule)["spec"]["schedule"].get<std::string>().c_str(),
        name.c_str());
  }
  return kExitOk;
}

}  // namespace

void add_schedule_create_command(CLI::App& schedule, Action& action) {
  auto options = std::make_shared<CreateOptions>();
  CLI::App* cmd = schedule.add_subcommand(
      "create",
      "Create a Schedule: `stillpoint server` makes a backup from its template at each time of "
      "the cron schedule (the server checks the cron text and marks a bad one "
      "FailedValidation).\nExit codes: 0 created, 1 not created (exists, bad input).");
  cmd->add_option("NAME", options->name, "Schedule name (default: metadata.name of --from-file)");
  cmd->add_option("--schedule", options->schedule,
                  "When to back up: a cron expression such as \"0 1 * * *\" (minute hour "
                  "day-of-month month day-of-week; spec.schedule)");
  add_object_flags(*cmd, options->object, "Schedule",
                   {.included_namespaces = "to include in each backup",
                    .included_resources = "to include in each backup",
                    .excluded = "to exclude from each backup",
                    .cluster_resources = "Include cluster-scoped resources (default: only when "
                                         "all namespaces are included)"});
  add_backup_spec_flags(*cmd, options->spec);
  cmd->add_flag("--paused", options->paused, "Create it paused: no backups until unpaused");
  cmd->add_flag("--skip-immediately", options->skip_immediately,
                "Do not back up at once when created or unpaused; wait for the next time");
  cmd->add_flag("--use-owner-references-in-backup", options->owner_references,
                "Make the Schedule the owner of its Backup objects (deleting the Schedule "
                "object with kubectl then deletes them; `schedule delete` keeps them)");
  cmd->add_option("-o,--output", options->output, "text, or json: the Schedule as created")
      ->check(CLI::IsMember({"text", "json"}));
  add_schedule_api_flags(*cmd, options->api);
  cmd->callback(
      [options, cmd, &action] { action = [options, cmd] { return run_create(*options, *cmd); }; });
}

}  // namespace stillpoint::cli

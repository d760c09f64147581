// `stillpoint schedule pause | unpause | delete NAME...`: one request per Schedule, every name
// tried even when one fails (exit 1 then, each failure printed). Deleting a Schedule deletes
// only the Schedule object: its Backup objects and their data stay (orphan propagation, so
// that ownerReferences from --use-owner-references-in-backup do not take them along).
#include <cstdio>
#include <functional>
#include <memory>

#include <CLI/CLI.hpp>

#include "cli/api_calls.h"
#include "cli/exit_codes.h"
#include "cli/report_failure.h"
#include "cli/schedule_commands.h"
#include "server/api_resources.h"

namespace stillpoint::cli {
namespace {

using nlohmann::json;

struct ChangeOptions {
  std::vector<std::string> names;
  ScheduleApiFlags api;
};

// What a change does to one Schedule; the error is printed by the caller.
using Change = std::function<core::Status(
    ApiCalls&, const server::ApiResources&, const std::string& ns, const std::string& name)>;

int run_change(const ChangeOptions& o, const Change& change, const char* done) {
  auto api = ApiCalls::connect(o.api.cluster);
  if (!api)
    return report_failure(api.error());
  const server::ApiResources resources(o.api.api_group);
  int exit_code = kExitOk;
  for (const std::string& name : o.names) {
    auto changed = change(**api, resources, o.api.ns, name);
    if (!changed) {
      report_failure(
          changed.error().code == core::ErrorCode::NotFound
              ? core::Error{core::ErrorCode::NotFound, schedule_not_found(name, o.api.ns)}
              : changed.error());
      exit_code = kExitFailed;
      continue;
    }
    std::printf("Schedule \"%s\" %s\n", name.c_str(), done);
  }
  return exit_code;
}

core::Status set_paused(ApiCalls& api,
                        const server::ApiResources& resources,
                        const std::string& ns,
                        const std::string& name,
                        bool paused) {
  const json patch = {{"spec", {{"paused", paused}}}};
  auto patched = api.merge_patch(resources.schedules, ns, name, patch);
  if (!patched)
    return core::unexpected(patched.error());
  return core::ok();
}

void add_change(CLI::App& schedule,
                Action& action,
                const char* verb,
                const std::string& help,
                Change change,
                const char* done) {
  auto options = std::make_shared<ChangeOptions>();
  CLI::App* cmd = schedule.add_subcommand(verb, help);
  cmd->add_option("NAME", options->names, "Schedule names")->required();
  add_schedule_api_flags(*cmd, options->api);
  cmd->callback([options, change, done, &action] {
    action = [options, change, done] { return run_change(*options, change, done); };
  });
}

}  // namespace

void add_schedule_change_commands(CLI::App& schedule, Action& action) {
  add_change(
      schedule, action, "pause",
      "Stop making backups from these Schedules until unpaused (sets spec.paused)",
      [](ApiCalls& api, const server::ApiResources& r, const std::string& ns,
         const std::string& name) { return set_paused(api, r, ns, name, true); },
      "paused");
  add_change(
      schedule, action, "unpause",
      "Make backups from these Schedules again (clears spec.paused); unless "
      "spec.skipImmediately, the server backs up at once",
      [](ApiCalls& api, const server::ApiResources& r, const std::string& ns,
         const std::string& name) { return set_paused(api, r, ns, name, false); },
      "unpaused");
  add_change(
      schedule, action, "delete",
      "Delete Schedule objects: no more backups are made from them. The backups already "
      "made stay (their Backup objects and data); delete them with `stillpoint backup "
      "delete`",
      [](ApiCalls& api, const server::ApiResources& r, const std::string& ns,
         const std::string& name) { return api.remove(r.schedules, ns, name, "Orphan"); },
      "deleted; the backups made from it stay");
}

}  // namespace stillpoint::cli

#include "cli/schedule_backup.h"

#include <ctime>

#include "cli/api_calls.h"
#include "cli/report_failure.h"
#include "cli/via_server.h"
#include "restore/object_transform.h"
#include "server/api_resources.h"

namespace stillpoint::cli {

using nlohmann::json;

std::string scheduled_backup_name(const std::string& schedule,
                                  std::chrono::system_clock::time_point now) {
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char stamp[16];
  std::strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &utc);
  return schedule + "-" + stamp;
}

json backup_from_schedule(const json& schedule, const std::string& name) {
  const json metadata = schedule.value("metadata", json::object());
  const json spec = schedule.value("spec", json::object());
  const std::string schedule_name = metadata.value("name", "");
  json labels = metadata.value("labels", json::object());
  if (!labels.is_object())
    labels = json::object();
  // A label value has at most 63 characters; a longer name is shortened as restore labels are.
  labels["velero.io/schedule-name"] = restore::label_value(schedule_name);
  json backup = {{"kind", "Backup"},
                 {"metadata", {{"name", name}, {"labels", labels}}},
                 {"spec", spec.value("template", json::object())}};
  if (spec.value("useOwnerReferencesInBackup", false)) {
    backup["metadata"]["ownerReferences"] =
        json::array({{{"apiVersion", schedule.value("apiVersion", "")},
                      {"kind", "Schedule"},
                      {"name", schedule_name},
                      {"uid", metadata.value("uid", "")},
                      {"controller", true}}});
  }
  return backup;
}

int run_backup_from_schedule(const OperationFlags& flags,
                             const std::string& name,
                             const std::string& schedule_name) {
  auto api = ApiCalls::connect(flags.cluster);
  if (!api)
    return report_failure(api.error());
  const server::ApiResources resources(flags.server_api_group);
  auto schedule = (*api)->get(resources.schedules, flags.server_namespace, schedule_name);
  if (!schedule) {
    if (schedule.error().code == core::ErrorCode::NotFound) {
      return report_failure(
          {core::ErrorCode::NotFound,
           "schedule \"" + schedule_name + "\" not found in namespace " + flags.server_namespace});
    }
    return report_failure(schedule.error());
  }
  const std::string backup_name =
      name.empty() ? scheduled_backup_name(schedule_name, std::chrono::system_clock::now()) : name;
  return run_object_via_server(flags, backup_from_schedule(*schedule, backup_name));
}

}  // namespace stillpoint::cli

#include "server/delete_request_processor.h"

#include "core/json_fields.h"
#include "server/backup_deletion.h"
#include "server/operation_status.h"

namespace stillpoint::server {

namespace asio = boost::asio;
using nlohmann::json;

asio::awaitable<void> process_delete_request(ServerContext& ctx, json request) {
  const std::string name = core::string_at(request, json::json_pointer("/metadata/name"));
  const std::string rv = core::string_at(request, json::json_pointer("/metadata/resourceVersion"));
  const std::string backup_name = core::string_at(request, json::json_pointer("/spec/backupName"));
  const std::string origin = "DeleteBackupRequest " + ctx.namespace_name + "/" + name;
  const kube::GroupVersionResource gvr = ctx.resources.delete_requests;

  const json claim = {{"phase", "InProgress"}};
  if (auto s = co_await patch_status(ctx.cluster, gvr, ctx.namespace_name, name, claim, rv); !s) {
    ctx.log(origin + ": not started: " + s.error().message);
    co_return;
  }

  std::vector<std::string> errors;
  std::string schedule;
  if (backup_name.empty()) {
    errors.push_back(origin + ": spec.backupName is empty: name the backup to delete");
  } else {
    const kube::GroupVersionResource backups = ctx.resources.backups;
    auto backup = co_await ctx.cluster.get(backups, ctx.namespace_name, backup_name);
    if (!backup && backup.error().code == core::ErrorCode::NotFound) {
      ctx.log(origin + ": backup \"" + backup_name + "\" does not exist: nothing to delete");
    } else if (!backup) {
      errors.push_back("reading backup \"" + backup_name + "\": " + backup.error().message);
    } else {
      schedule = core::string_at(*backup,
                                 json::json_pointer("/metadata/labels/velero.io~1schedule-name"));
      const core::Status s = co_await delete_backup_and_data(ctx, *backup);
      ctx.observer.backup_deleted(schedule, s.has_value());
      if (!s) errors.push_back(s.error().message);
    }
  }

  json status = {{"phase", "Processed"}, {"errors", errors}};
  if (auto s = co_await patch_status(ctx.cluster, gvr, ctx.namespace_name, name, status); !s) {
    ctx.log(origin + ": final status not written: " + s.error().message);
  }
  ctx.log(origin + ": Processed" +
          (errors.empty() ? std::string(": backup \"" + backup_name + "\" deleted")
                          : ": " + errors.front()));
}

}  // namespace stillpoint::server

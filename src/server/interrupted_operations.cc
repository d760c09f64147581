#include "server/interrupted_operations.h"

#include "backup/pending_post_hooks.h"
#include "core/json_fields.h"
#include "server/hook_window_recorder.h"
#include "server/operation_status.h"

namespace stillpoint::server {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

constexpr const char* kInterrupted =
    "the server running it stopped before it finished (a new leader found it InProgress); "
    "nothing was published";

bool in_progress(const json& object) {
  const json status = object.value("status", json::object());
  return status.is_object() && status.value("phase", "") == "InProgress";
}

asio::awaitable<std::vector<json>> in_progress_objects(ServerContext& ctx,
                                                       const kube::GroupVersionResource& gvr) {
  std::vector<json> found;
  kube::ListOptions options;
  options.namespace_name = ctx.namespace_name;
  // Named arguments only in co_await expressions (GCC 12 destroys temporaries twice).
  kube::ItemCallback keep = [&](json item) {
    if (in_progress(item)) found.push_back(std::move(item));
    return core::ok();
  };
  auto listed = co_await ctx.cluster.list(gvr, options, keep);
  if (!listed) ctx.log("listing " + gvr.resource + " left InProgress: " + listed.error().message);
  co_return found;
}

}  // namespace

asio::awaitable<RecoveryCounts> recover_interrupted_operations(ServerContext& ctx) {
  RecoveryCounts counts;
  std::vector<json> backups = co_await in_progress_objects(ctx, ctx.resources.backups);
  for (json& object : backups) {
    const std::string name = core::string_at(object, json::json_pointer("/metadata/name"));
    const std::string origin = "Backup " + ctx.namespace_name + "/" + name;
    std::string reason = kInterrupted;
    const std::vector<std::string> pods = pods_in_hook_window(object);
    if (!pods.empty()) {
      auto request = operation::backup_request_from_object(object, origin, ctx.backup_settings);
      if (request) {
        ctx.log(origin + ": running the post hooks of " + std::to_string(pods.size()) +
                " pod(s) left between pre and post hooks");
        auto thawed = co_await backup::run_pending_post_hooks(
            ctx.cluster, ctx.exec, ctx.clock, request->hooks_spec, pods);
        for (const std::string& note : thawed.notes) ctx.log(origin + ": " + note);
        counts.pods_thawed += pods.size();
        reason += "; post hooks run for pods left between pre and post hooks: ";
        for (size_t i = 0; i < pods.size(); ++i) reason += (i ? ", " : "") + pods[i];
        if (thawed.failed) reason += " (some failed: see the server's log)";
      } else {
        reason += "; post hooks NOT run for " + std::to_string(pods.size()) +
                  " pod(s): the spec no longer decodes: " + request.error().message;
      }
    }
    const json clear = {{"metadata", {{"annotations", {{kHookWindowAnnotation, nullptr}}}}}};
    co_await ctx.cluster.patch(ctx.resources.backups, ctx.namespace_name, name,
                               kube::PatchType::Merge, clear);
    const json failed = failed_status(reason);
    if (auto s = co_await patch_status(ctx.cluster, ctx.resources.backups, ctx.namespace_name,
                                       name, failed);
        !s) {
      ctx.log(origin + ": could not be marked Failed: " + s.error().message);
      continue;
    }
    ctx.log(origin + ": Failed: " + reason);
    ++counts.backups_failed;
  }
  std::vector<json> restores = co_await in_progress_objects(ctx, ctx.resources.restores);
  const json failed = failed_status(kInterrupted);
  for (json& object : restores) {
    const std::string name = core::string_at(object, json::json_pointer("/metadata/name"));
    if (auto s = co_await patch_status(ctx.cluster, ctx.resources.restores, ctx.namespace_name,
                                       name, failed);
        s) {
      ctx.log("Restore " + ctx.namespace_name + "/" + name + ": Failed: " + kInterrupted);
      ++counts.restores_failed;
    }
  }
  co_return counts;
}

}  // namespace stillpoint::server

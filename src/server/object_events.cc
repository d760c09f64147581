#include "server/object_events.h"

#include <cstdio>

#include "catalog/status_schema.h"
#include "core/json_fields.h"

namespace stillpoint::server {

using nlohmann::json;

boost::asio::awaitable<void> record_event(ServerContext& ctx,
                                          const json& object,
                                          EventType type,
                                          const std::string& reason,
                                          const std::string& message) {
  const std::string name = core::string_at(object, json::json_pointer("/metadata/name"));
  const auto now = ctx.clock.now();
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, "%llx",
                static_cast<unsigned long long>(now.time_since_epoch().count()));
  const std::string stamp = catalog::rfc3339(now);
  json event = {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", {{"name", name + "." + suffix}, {"namespace", ctx.namespace_name}}},
      {"involvedObject",
       {{"apiVersion", object.value("apiVersion", "")},
        {"kind", object.value("kind", "")},
        {"namespace", ctx.namespace_name},
        {"name", name},
        {"uid", core::string_at(object, json::json_pointer("/metadata/uid"))}}},
      {"reason", reason},
      {"message", message},
      {"type", type == EventType::Warning ? "Warning" : "Normal"},
      {"source", {{"component", "stillpoint-server"}}},
      {"firstTimestamp", stamp},
      {"lastTimestamp", stamp},
      {"count", 1}};
  const kube::GroupVersionResource events{"", "v1", "events", ""};
  auto created = co_await ctx.cluster.create(events, ctx.namespace_name, event);
  if (!created) ctx.log("event " + reason + " on " + name + " not recorded: " + created.error().message);
}

}  // namespace stillpoint::server

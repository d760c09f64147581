#include "server/backup_deletion.h"

#include <vector>

#include "catalog/backup_catalog.h"
#include "catalog/restore_keys.h"
#include "core/async/offload.h"
#include "core/json_fields.h"
#include "server/location_resolver.h"

namespace stillpoint::server {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

std::string phase_of(const json& object) {
  return core::string_at(object, json::json_pointer("/status/phase"));
}

bool running(const std::string& phase) {
  return phase.empty() || phase == "New" || phase == "InProgress";
}

// The Restore objects whose spec.backupName is `backup`.
asio::awaitable<core::Result<std::vector<json>>> restores_of(ServerContext& ctx,
                                                             const std::string& backup) {
  std::vector<json> found;
  kube::ListOptions options;
  options.namespace_name = ctx.namespace_name;
  kube::ItemCallback keep = [&](json item) {
    if (core::string_at(item, json::json_pointer("/spec/backupName")) == backup) {
      found.push_back(std::move(item));
    }
    return core::ok();
  };
  const kube::GroupVersionResource restores = ctx.resources.restores;
  auto listed = co_await ctx.cluster.list(restores, options, keep);
  if (!listed) co_return core::unexpected(listed.error());
  co_return found;
}

}  // namespace

asio::awaitable<core::Status> delete_backup_and_data(ServerContext& ctx, const json& backup) {
  const std::string name = core::string_at(backup, json::json_pointer("/metadata/name"));
  const std::string what = "backup \"" + name + "\"";
  if (const std::string phase = phase_of(backup); running(phase)) {
    co_return core::unexpected(core::ErrorCode::Conflict,
                               what + " is " + (phase.empty() ? "New" : phase) +
                                   ": a backup is deleted once it has ended");
  }
  auto restores = co_await restores_of(ctx, name);
  if (!restores) co_return core::unexpected(restores.error());
  for (const json& r : *restores) {
    if (running(phase_of(r))) {
      co_return core::unexpected(
          core::ErrorCode::Conflict,
          what + " is being restored by restore \"" +
              core::string_at(r, json::json_pointer("/metadata/name")) +
              "\": it is deleted once the restore has ended");
    }
  }

  std::string failed_location;
  const std::string requested = core::string_at(backup, json::json_pointer("/spec/storageLocation"));
  auto location = co_await resolve_location(ctx.cluster, ctx.resources, ctx.namespace_name,
                                            requested, ctx.default_location, &failed_location);
  if (!location) {
    co_return core::unexpected(location.error().code,
                               "deleting " + what + ": " + location.error().message);
  }
  if (location->read_only) {
    co_return core::unexpected(core::ErrorCode::Forbidden,
                               "deleting " + what + ": backup storage location \"" +
                                   location->location_name + "\" is read-only (accessMode: "
                                   "ReadOnly): its backups are kept");
  }

  // The data first: were the object deleted first and the data deletion then failed, sync
  // would bring the backup back, but nothing would ever delete its data.
  storage::ObjectStore& store = *location->store;
  std::vector<std::string> restore_names;
  for (const json& r : *restores) {
    restore_names.push_back(core::string_at(r, json::json_pointer("/metadata/name")));
  }
  const core::Status removed = co_await core::async::offload(ctx.pool, [&]() -> core::Status {
    if (auto s = catalog::delete_backup(store, name);
        !s && s.error().code != core::ErrorCode::NotFound) {
      return s;
    }
    for (const std::string& r : restore_names) {
      if (auto s = store.remove_prefix(catalog::restore_prefix(r)); !s) return s;
    }
    return core::ok();
  });
  if (!removed) {
    co_return core::unexpected(removed.error().code, "deleting the data of " + what + " from " +
                                                         store.describe() + ": " +
                                                         removed.error().message);
  }

  const kube::GroupVersionResource restores_gvr = ctx.resources.restores;
  for (const std::string& r : restore_names) {
    auto s = co_await ctx.cluster.remove(restores_gvr, ctx.namespace_name, r);
    if (!s && s.error().code != core::ErrorCode::NotFound) co_return s;
  }
  const kube::GroupVersionResource backups = ctx.resources.backups;
  auto s = co_await ctx.cluster.remove(backups, ctx.namespace_name, name);
  if (!s && s.error().code != core::ErrorCode::NotFound) co_return s;
  co_return core::ok();
}

}  // namespace stillpoint::server

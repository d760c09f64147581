#include "server/backup_sync.h"

#include <map>
#include <set>

#include <boost/asio/this_coro.hpp>

#include "catalog/backup_catalog.h"
#include "catalog/status_schema.h"
#include "core/async/offload.h"
#include "core/go_duration.h"
#include "core/json_fields.h"
#include "server/location_resolver.h"
#include "server/operation_status.h"

namespace stillpoint::server {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

// Label values are at most 63 characters; a longer location name is left off the label (the
// spec still names it). Velero shortens it with a hash instead.
constexpr size_t kMaxLabelValue = 63;

std::string phase_of(const json& object) {
  return core::string_at(object, json::json_pointer("/status/phase"));
}

std::string describe(const std::string& location) {
  return location.empty() ? "the server's location"
                          : "BackupStorageLocation \"" + location + "\"";
}

json object_at(const json& parent, const char* key) {
  if (!parent.is_object() || !parent.contains(key) || !parent[key].is_object()) {
    return json::object();
  }
  return parent[key];
}

}  // namespace

json synced_backup_object(const json& stored,
                          const std::string& name,
                          const std::string& api_group,
                          const std::string& ns,
                          const std::string& location) {
  const json stored_metadata = object_at(stored, "metadata");
  json labels = object_at(stored_metadata, "labels");
  json annotations = object_at(stored_metadata, "annotations");
  json spec = object_at(stored, "spec");
  // The location's name in this cluster, which may differ from the one that made the backup.
  if (location.empty()) {
    labels.erase(kStorageLocationLabel);
    spec.erase("storageLocation");
  } else {
    if (location.size() <= kMaxLabelValue) {
      labels[kStorageLocationLabel] = location;
    } else {
      labels.erase(kStorageLocationLabel);
    }
    spec["storageLocation"] = location;
  }
  annotations[kSyncedFromAnnotation] = location;
  // uid, resourceVersion, creationTimestamp, generation, ownerReferences, managedFields and
  // finalizers belong to the cluster that made the backup: only these are carried over.
  json metadata = {{"name", name}, {"namespace", ns}, {"annotations", std::move(annotations)}};
  if (!labels.empty()) metadata["labels"] = std::move(labels);
  return {{"apiVersion", api_group + "/v1"},
          {"kind", "Backup"},
          {"metadata", std::move(metadata)},
          {"spec", std::move(spec)}};
}

BackupSync::BackupSync(ServerContext& ctx, core::Duration period, std::function<bool()> may_run)
    : ctx_(ctx), period_(period), may_run_(std::move(may_run)) {}

asio::awaitable<void> BackupSync::run() {
  if (period_ > core::Duration::zero()) {
    ctx_.log("backup sync: every " + core::format_go_duration(period_));
  }
  // Not a coroutine lambda: the pass is a member coroutine, the lambda only starts it.
  std::function<asio::awaitable<void>()> pass = [this] { return pass_once(); };
  co_await run_every(ctx_.clock, period_, may_run_, pass);
}

asio::awaitable<void> BackupSync::pass_once() { co_await sync_once(); }

asio::awaitable<SyncCounts> BackupSync::sync_once() {
  SyncCounts counts;
  auto locations = co_await list_locations(ctx_.cluster, ctx_.resources, ctx_.namespace_name);
  if (!locations) {
    ctx_.log("backup sync: listing BackupStorageLocations: " + locations.error().message);
    co_return counts;
  }
  const core::Clock::TimePoint now = ctx_.clock.now();
  std::vector<Target> targets;
  for (const json& l : *locations) {
    const std::string name = core::string_at(l, json::json_pointer("/metadata/name"));
    std::string problem;
    const core::Duration period = location_period(l, "backupSyncPeriod", period_, &problem);
    if (!problem.empty()) {
      ctx_.log("backup sync: " + describe(name) + ": " + problem + "; synced every " +
               core::format_go_duration(period_));
    }
    if (name.empty() || period == core::Duration::zero() || !due_.due(name, period, now)) {
      continue;
    }
    targets.push_back(Target{name});
  }
  if (!has_default_location(*locations) && due_.due("", period_, now)) {
    targets.push_back(Target{""});
  }
  for (const Target& target : targets) {
    if (!may_run_()) break;
    co_await sync_location(target, counts);
    due_.done(target.name, now);
  }
  co_return counts;
}

asio::awaitable<void> BackupSync::sync_location(Target target, SyncCounts& counts) {
  const std::string& ns = ctx_.namespace_name;
  const std::string where = describe(target.name);
  // 1. The cluster's Backups, before the location (the race rule of the header).
  std::map<std::string, json> in_cluster;
  kube::ListOptions options;
  options.namespace_name = ns;
  // Named arguments only in co_await expressions (GCC 12 destroys temporaries twice).
  kube::ItemCallback keep = [&](json item) {
    std::string name = core::string_at(item, json::json_pointer("/metadata/name"));
    in_cluster.emplace(std::move(name), std::move(item));
    return core::ok();
  };
  auto listed = co_await ctx_.cluster.list(ctx_.resources.backups, options, keep);
  if (!listed) {
    ctx_.log("backup sync: listing Backups: " + listed.error().message);
    co_return;
  }

  // 2. The location: a location that cannot be opened or listed is skipped and marked.
  std::string failed_location;
  auto location = co_await resolve_location(ctx_.cluster, ctx_.resources, ns, target.name,
                                            ctx_.default_location, &failed_location);
  if (location && location->location_name != target.name) co_return;  // a default appeared
  core::Result<std::vector<std::string>> names = std::vector<std::string>();
  if (location) {
    storage::ObjectStore* store = location->store.get();
    auto list = [store] { return catalog::list_backup_names(*store); };
    names = co_await core::async::offload(ctx_.pool, list);
  } else {
    names = core::unexpected(location.error());
  }
  if (!names) {
    ++counts.failed;
    const std::string message =
        location ? "listing backups: " + names.error().message : names.error().message;
    ctx_.log("backup sync: " + where + " skipped: " + message);
    if (!target.name.empty()) {
      co_await mark_location(ctx_.cluster, ctx_.resources, ns, target.name, false, message);
    }
    co_return;
  }
  ++counts.locations;
  storage::ObjectStore& store = *location->store;

  // 3. What the location has and the cluster lacks; and objects an earlier pass created whose
  // status could not be written then.
  const std::set<std::string> present(names->begin(), names->end());
  for (const std::string& name : *names) {
    auto it = in_cluster.find(name);
    if (it == in_cluster.end()) {
      if (co_await create_from_location(target, store, name)) ++counts.created;
      continue;
    }
    const json annotations = object_at(object_at(it->second, "metadata"), "annotations");
    if (annotations.contains(kSyncedFromAnnotation) && phase_of(it->second).empty()) {
      co_await write_stored_status(store, name);
    }
  }

  // 4. Objects of this location whose data is gone. Only finished, published ones: New,
  // InProgress and the failed phases have nothing in the location to lose.
  for (const auto& [name, object] : in_cluster) {
    if (present.count(name)) continue;
    if (core::string_at(object, json::json_pointer("/spec/storageLocation")) != target.name) {
      continue;
    }
    const std::string phase = phase_of(object);
    if (phase != "Completed" && phase != "PartiallyFailed") continue;
    auto removed = co_await ctx_.cluster.remove(ctx_.resources.backups, ns, name);
    if (!removed && removed.error().code != core::ErrorCode::NotFound) {
      ctx_.log("backup sync: Backup " + ns + "/" + name + " (its data is no longer in " +
               where + ") not removed: " + removed.error().message);
      continue;
    }
    ++counts.removed;
    ctx_.log("backup sync: removed Backup " + ns + "/" + name + ": " + phase +
             ", but its data is no longer in " + where);
  }

  if (!target.name.empty()) {
    const json patch = {{"status", {{"lastSyncedTime", catalog::rfc3339(ctx_.clock.now())}}}};
    const kube::GroupVersionResource status = ApiResources::status_of(ctx_.resources.locations);
    co_await ctx_.cluster.patch(status, ns, target.name, kube::PatchType::Merge, patch);
  }
}

asio::awaitable<bool> BackupSync::create_from_location(const Target& target,
                                                       storage::ObjectStore& store,
                                                       const std::string& name) {
  const std::string& ns = ctx_.namespace_name;
  const std::string where = describe(target.name);
  if (const std::string why = catalog::check_backup_name(name); !why.empty()) {
    ctx_.log("backup sync: backup \"" + name + "\" in " + where + " not synced: " + why);
    co_return false;
  }
  storage::ObjectStore* s = &store;
  auto read = [s, name] { return catalog::read_backup(*s, name); };
  auto stored = co_await core::async::offload(ctx_.pool, read);
  if (!stored) {
    ctx_.log("backup sync: backup \"" + name + "\" in " + where +
             " not synced: " + stored.error().message);
    co_return false;
  }
  const json object = synced_backup_object(*stored, name, ctx_.resources.group, ns, target.name);
  auto created = co_await ctx_.cluster.create(ctx_.resources.backups, ns, object);
  if (!created) {
    // Conflict: made in the cluster since it was listed; it is not ours to replace.
    if (created.error().code != core::ErrorCode::Conflict) {
      ctx_.log("backup sync: Backup " + ns + "/" + name + " from " + where +
               " not created: " + created.error().message);
    }
    co_return false;
  }
  // The API server drops status on create: it goes through the status subresource.
  const json status = status_for_object(stored->value("status", json::object()));
  if (auto s = co_await patch_status(ctx_.cluster, ctx_.resources.backups, ns, name, status);
      !s) {
    ctx_.log("backup sync: Backup " + ns + "/" + name + " created from " + where +
             ", its status not written yet (next sync retries): " + s.error().message);
    co_return true;
  }
  ctx_.log("backup sync: created Backup " + ns + "/" + name + " from " + where + " (" +
           status.value("phase", "") + ")");
  co_return true;
}

asio::awaitable<void> BackupSync::write_stored_status(storage::ObjectStore& store,
                                                      const std::string& name) {
  storage::ObjectStore* s = &store;
  auto read = [s, name] { return catalog::read_backup(*s, name); };
  auto stored = co_await core::async::offload(ctx_.pool, read);
  if (!stored) co_return;
  const json status = status_for_object(stored->value("status", json::object()));
  if (auto w = co_await patch_status(ctx_.cluster, ctx_.resources.backups, ctx_.namespace_name,
                                     name, status);
      w) {
    ctx_.log("backup sync: status of Backup " + ctx_.namespace_name + "/" + name + " written (" +
             status.value("phase", "") + ")");
  }
}

}  // namespace stillpoint::server

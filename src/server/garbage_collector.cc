#include "server/garbage_collector.h"

#include <vector>

#include "core/json_fields.h"
#include "kube/exec_credential.h"
#include "server/backup_deletion.h"
#include "server/location_list.h"
#include "server/object_events.h"

namespace stillpoint::server {

namespace asio = boost::asio;
using nlohmann::json;

asio::awaitable<void> GarbageCollector::run() {
  const std::function<bool()> may_run = [this] { return may_run_() && !ctx_.stopping; };
  const std::function<asio::awaitable<void>()> pass = [this] { return collect_and_log(); };
  co_await run_every(ctx_.clock, frequency_, may_run, pass);
}

asio::awaitable<void> GarbageCollector::collect_and_log() {
  const CollectionCounts counts = co_await collect_once();
  if (counts.expired > 0) {
    ctx_.log("garbage collection: " + std::to_string(counts.deleted) + " of " +
             std::to_string(counts.expired) + " expired backup(s) deleted");
  }
}

asio::awaitable<CollectionCounts> GarbageCollector::collect_once() {
  CollectionCounts counts;
  const auto now = ctx_.clock.now();
  std::vector<json> expired;
  kube::ListOptions options;
  options.namespace_name = ctx_.namespace_name;
  kube::ItemCallback pick = [&](json item) {
    const std::string at = core::string_at(item, json::json_pointer("/status/expiration"));
    if (at.empty()) return core::ok();
    auto when = kube::parse_rfc3339(at);
    if (when && *when <= now) expired.push_back(std::move(item));
    return core::ok();
  };
  const kube::GroupVersionResource backups = ctx_.resources.backups;
  auto listed = co_await ctx_.cluster.list(backups, options, pick);
  if (!listed) {
    ctx_.log("garbage collection: listing backups: " + listed.error().message);
    co_return counts;
  }
  counts.expired = expired.size();
  for (const json& backup : expired) {
    if (ctx_.stopping) break;
    const std::string schedule =
        core::string_at(backup, json::json_pointer("/metadata/labels/velero.io~1schedule-name"));
    const std::string name = core::string_at(backup, json::json_pointer("/metadata/name"));
    const core::Status s = co_await delete_backup_and_data(ctx_, backup);
    ctx_.observer.backup_deleted(schedule, s.has_value());
    if (s) {
      ++counts.deleted;
      ctx_.log("Backup " + ctx_.namespace_name + "/" + name + ": expired, deleted with its data");
      continue;
    }
    const std::string why = "expired but kept: " + s.error().message +
                            " (garbage collection tries again at its next pass)";
    ctx_.log("Backup " + ctx_.namespace_name + "/" + name + ": " + why);
    const std::string reason = "DeletionFailed";
    co_await record_event(ctx_, backup, EventType::Warning, reason, why);
  }
  co_return counts;
}

}  // namespace stillpoint::server

// The last phase of a backup (BackupRunner::publish): after a storage failure, removing what
// was written; otherwise the metadata objects, their checksums, and the backup object last.
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "backup/archive_sink.h"
#include "backup/backup_runner.h"
#include "backup/backup_runner_state.h"
#include "catalog/backup_checksums.h"
#include "catalog/backup_keys.h"
#include "catalog/gzip_object_writer.h"
#include "catalog/operation_log.h"
#include "catalog/volume_manifest.h"

namespace stillpoint::backup {

namespace asio = boost::asio;
using nlohmann::json;

// After a storage failure: nothing is published, what was written is removed. Otherwise the
// metadata, then the backup object last: that is what publishes the backup.
asio::awaitable<core::Result<BackupOutcome>> BackupRunner::publish(BackupStatus status) {
  State& st = *state_;
  const std::string& name = request_.name;
  if (!st.storage) {
    // The location failed (e.g. it is full): a backup missing data must not be published,
    // nor look complete. What was written goes; the error says why.
    (void)st.sink->finish();
    (void)st.log->finish();
    st.sink.reset();
    (void)env_.store.remove_prefix(catalog::backup_prefix(name));
    co_return core::unexpected(
        st.storage.error().code,
        "the backup location " + env_.store.describe() + " failed while writing pod volume data: " +
            st.storage.error().message + "; the backup was not published (post hooks ran)");
  }

  // Metadata, then the backup object last: that is what publishes the backup.
  const auto records = st.tracker.records();
  std::map<std::string, const hooks::PlannedExecHook*> planned;
  for (const CollectedPod& c : st.collected) {
    for (const auto& h : c.plan.pre) {
      planned[c.pod.key() + "/pre/" + std::to_string(h.index) + "/" + h.name] = &h;
    }
    for (const auto& h : c.plan.post) {
      planned[c.pod.key() + "/post/" + std::to_string(h.index) + "/" + h.name] = &h;
    }
  }
  for (const auto& r : records) {
    auto it = planned.find(r.namespace_name + "/" + r.pod + "/" + r.phase + "/" +
                           std::to_string(r.index) + "/" + r.name);
    st.log->hook(r, it == planned.end() ? nullptr : it->second);
  }
  core::Status archived = st.sink->finish();
  if (!archived) {
    st.log->error("backup archive not written: " + archived.error().message);
  }

  status.hook_status = st.tracker.status();
  status.hook_results = records;
  status.volumes_attempted = st.volume_records.size();
  for (const auto& r : st.volume_records)
    status.volumes_completed += r.completed() ? 1 : 0;
  status.items_backed_up = st.sink->items();
  status.total_items = std::max(st.items_total, status.items_backed_up);
  status.completion = env_.clock.now();
  if (interrupted_) {
    status.phase = Phase::Failed;
    status.failure_reason = "interrupted: stopped by a signal before every item was backed up";
    st.log->error(status.failure_reason);
  } else if (!archived) {
    status.phase = Phase::Failed;
    status.failure_reason = archived.error().message;
  } else if (st.item_errors > 0 || status.hook_status.hooks_failed > 0 || st.log->errors() > 0) {
    status.phase = Phase::PartiallyFailed;
  } else {
    status.phase = Phase::Completed;
  }
  st.log->info("backup finished",
               {{"phase", to_string(status.phase)}, {"itemsBackedUp", status.items_backed_up}});
  status.errors = st.log->errors();
  status.warnings = st.log->warnings();

  if (auto s = st.log->finish(); !s)
    co_return core::unexpected(s.error());
  if (!st.volume_records.empty()) {
    if (auto s = catalog::write_volume_manifest(env_.store, name, st.volume_records); !s) {
      co_return core::unexpected(s.error());
    }
  }
  if (archived) {
    json list = json::object();
    for (const auto& [kind, keys] : st.sink->resource_list())
      list[kind] = keys;
    if (auto s = catalog::write_gzip(env_.store, catalog::backup_resource_list_key(name), list.dump()); !s) {
      co_return core::unexpected(s.error());
    }
  }
  // Every object above is committed: their checksums, then the backup object.
  if (auto s = catalog::write_backup_checksums(env_.store, name, recorder_->recorded()); !s) {
    co_return core::unexpected(s.error());
  }
  BackupOutcome outcome;
  outcome.status = status;
  outcome.object = backup_object(request_, status);
  outcome.interrupted = interrupted_;
  if (auto s = storage::write_all(env_.store, catalog::backup_object_key(name), outcome.object.dump(2));
      !s) {
    co_return core::unexpected(s.error());
  }
  co_return outcome;
}

}  // namespace stillpoint::backup

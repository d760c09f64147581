// RestoreRunner: one restore, end to end (../shared/design/ARCHITECTURE.md, data flow of a
// restore): the backup's object and tarball are read from the location; the items are spooled
// by type and restored type by type in Velero's priority order, objects of one type in
// parallel; each is filtered, mapped to its target namespace and stripped of server-set fields
// (object_transform.h); pods get their init hooks injected before they are created and their
// exec hooks run once their containers are up (pod_exec_hooks.h), every wait bounded by the
// restore's hook wait limit. Then the log, the results, and the Restore object last.
//
// A rejected object is an error of that object only: the restore goes on (PartiallyFailed).
// An unreadable archive fails the restore before anything is created. The backup's objects
// (the archive, the volume manifest, volume data) are checked against its checksums object
// when it has one (backup_checksums.h): a damaged archive fails the restore the same way,
// naming the object and the location; damaged volume data fails that pod's volumes.
// Runs on one I/O executor (the ClusterApi's, single-threaded); blocking file work on `pool`.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "catalog/volume_manifest.h"
#include "hooks/clock.h"
#include "hooks/plan.h"
#include "hooks/pod.h"
#include "hooks/pod_exec.h"
#include "kube/cluster_api.h"
#include "restore/restore_request.h"
#include "restore/restore_status.h"
#include "storage/object_store.h"

namespace stillpoint::restore {

struct RestoreProgress {
  size_t items_total = 0;
  size_t items_done = 0;  // restored, skipped or failed
  size_t pods_waiting_for_hooks = 0;
  size_t hooks_running = 0;
  uint64_t volume_bytes = 0;  // pod volume data delivered so far (tar bytes)
};

struct RestoreEnvironment {
  kube::ClusterApi& cluster;
  hooks::PodExec& exec;
  hooks::Clock& clock;
  storage::ObjectStore& store;
  boost::asio::any_io_executor pool;  // blocking work (reading and spooling the tarball)
  // Milestones, one short line each ("restored 12 pods"); may be empty.
  std::function<void(const std::string&)> milestone;
  std::filesystem::path spool_parent = std::filesystem::temp_directory_path();
};

struct RestoreOutcome {
  RestoreStatus status;
  nlohmann::json object;  // what velero-restore.json holds
  bool interrupted = false;
};

class RestoreRunner {
 public:
  RestoreRunner(RestoreEnvironment env, RestoreRequest request);
  ~RestoreRunner();

  // An error means nothing was restored and nothing published (backup missing, restore name
  // taken, location unreadable, cluster unreachable); otherwise the Restore object is stored
  // and returned, whatever its phase.
  boost::asio::awaitable<core::Result<RestoreOutcome>> run();

  // A snapshot for progress displays (call on the I/O executor).
  RestoreProgress progress() const;

  // SIGINT/SIGTERM (call on the I/O executor): no new objects are created, exec hooks still
  // waiting for their containers are recorded NotExecuted, hooks executing finish; the
  // restore is recorded as Failed with what was done.
  void interrupt();

 private:
  struct State;
  boost::asio::awaitable<void> restore_type(const std::string& group_resource);
  struct PreparedItem;
  // One archive entry: select_item, prepare_item, create_or_reconcile (restore_items.cc).
  boost::asio::awaitable<void> restore_item(const std::string& group_resource,
                                            std::string namespace_name,
                                            std::string name,
                                            std::string json_text);
  std::optional<nlohmann::json> select_item(const std::string& group_resource,
                                            const std::string& source_namespace,
                                            const std::string& name,
                                            std::string json_text);
  std::optional<PreparedItem> prepare_item(const std::string& group_resource,
                                           const std::string& source_namespace,
                                           const std::string& name,
                                           nlohmann::json object);
  boost::asio::awaitable<void> create_or_reconcile(PreparedItem item);
  boost::asio::awaitable<bool> ensure_namespace(const std::string& name);
  boost::asio::awaitable<void> wait_for_crds();
  // A created pod's volume data (restore-wait released once it is in), then its exec hooks.
  boost::asio::awaitable<void> after_pod_created(hooks::Pod pod,
                                                 hooks::PodRestorePlan plan,
                                                 std::vector<catalog::VolumeRecord> volumes);

  RestoreEnvironment env_;
  RestoreRequest request_;
  std::unique_ptr<State> state_;
  bool interrupted_ = false;
};

}  // namespace stillpoint::restore

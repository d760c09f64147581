// BackupRunner: one backup, end to end (../shared/design/ARCHITECTURE.md, data flow):
// discovery → resources to list → pods, claims and volumes collected and their hooks planned
// (with --strict-hooks, any finding fails validation before anything runs) → ItemBlocks run
// by a pool of workers (pre hooks, items, post hooks; post hooks guaranteed) while the other
// resources stream into the tarball → log, resource list, volume manifest, the checksums of
// every object written (SHA-256, recorded as they were written), and the backup object last.
//
// Runs on one I/O executor (the ClusterApi's); compression and file I/O happen on `pool`.
// interrupt() (SIGINT/SIGTERM) stops new blocks and listing, cancels the started blocks'
// pre hooks and items, lets their post hooks run, and records the backup as Failed.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <nlohmann/json.hpp>

#include "backup/backup_request.h"
#include "backup/backup_status.h"
#include "catalog/backup_keys.h"
#include "core/async/task_group.h"
#include "core/result.h"
#include "hooks/clock.h"
#include "hooks/pod_exec.h"
#include "kube/cluster_api.h"
#include "kube/discovery.h"
#include "storage/checksummed_store.h"
#include "storage/object_store.h"

namespace stillpoint::backup {

struct BackupProgress {
  size_t items_backed_up = 0;
  size_t blocks_total = 0;
  size_t blocks_done = 0;
  size_t hooks_running = 0;
  size_t items_total = 0;  // known so far: grows as lists are read
  size_t volumes_running = 0;  // pod volume copies in flight
  uint64_t volume_bytes = 0;   // pod volume data read so far (tar bytes)
};

struct BackupEnvironment {
  kube::ClusterApi& cluster;
  hooks::PodExec& exec;
  hooks::Clock& clock;
  storage::ObjectStore& store;
  boost::asio::any_io_executor pool;  // blocking work (compression, file writes)
  // Milestones, one short line each ("listed 1200 pods in 3 namespaces"); may be empty.
  std::function<void(const std::string&)> milestone;
  // Awaited with open = true before an ItemBlock's first pre hook, and with open = false after
  // its last post hook, naming the block's pods that have hooks ("ns/name"). The server
  // records them on the Backup object so that a successor that finds the backup interrupted
  // runs their post hooks (backup/pending_post_hooks.h). May be empty.
  std::function<boost::asio::awaitable<void>(std::vector<std::string> pods, bool open)>
      hook_window = {};
};

struct BackupOutcome {
  BackupStatus status;
  nlohmann::json object;  // what velero-backup.json holds
  bool interrupted = false;
};

struct CollectedPod;  // a pod to back up, with its hook plan and volumes (backup_runner_state.h)

class BackupRunner {
 public:
  BackupRunner(BackupEnvironment env, BackupRequest request);
  ~BackupRunner();

  // An error means nothing was published (unreachable cluster, backup exists, validation
  // failed, location unwritable); otherwise the backup object is stored and returned.
  boost::asio::awaitable<core::Result<BackupOutcome>> run();

  // Must be called on the I/O executor (post to it from a signal handler).
  void interrupt();

  // A snapshot for progress displays (call on the I/O executor).
  BackupProgress progress() const;

 private:
  struct State;
  // run() in three steps (backup_runner.cc): read the cluster and plan, write the items,
  // publish (or, after a storage failure, remove what was written).
  boost::asio::awaitable<core::Status> collect();
  boost::asio::awaitable<core::Status> write_items();
  boost::asio::awaitable<core::Result<BackupOutcome>> publish(BackupStatus status);
  boost::asio::awaitable<core::Status> collect_block_items();
  boost::asio::awaitable<core::Status> back_up_volumes(const CollectedPod& pod);
  boost::asio::awaitable<void> block_worker(size_t worker);
  boost::asio::awaitable<core::Status> stream_other_resources();
  boost::asio::awaitable<core::Status> write_claim(const std::string& key);
  boost::asio::awaitable<core::Status> write_leftover_volumes();
  boost::asio::awaitable<core::Status> add_item(const nlohmann::json& object,
                                                const kube::ApiResource& resource);

  // Every object of the backup is written through it (env_.store is this store), so that
  // their checksums can be stored before the backup object.
  std::unique_ptr<storage::ChecksumRecordingStore> recorder_;
  BackupEnvironment env_;
  BackupRequest request_;
  std::unique_ptr<State> state_;
  BackupProgress progress_;
  bool interrupted_ = false;
  // The block workers and the lister, once run() starts them: interrupt() cancels them.
  std::unique_ptr<core::async::TaskGroup> workers_;
};

}  // namespace stillpoint::backup

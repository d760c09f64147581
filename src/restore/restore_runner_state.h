// RestoreRunner's working state, shared by its two halves: restore_runner.cc (the run: spool,
// types in order, hooks, records) and restore_items.cc (one object: filter, transform,
// create, existing objects). Private to src/restore.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "catalog/operation_log.h"
#include "catalog/volume_manifest.h"
#include "core/async/task_group.h"
#include "hooks/hook_runner.h"
#include "hooks/hook_tracker.h"
#include "hooks/restore_planner.h"
#include "kube/discovery.h"
#include "restore/archive_spool.h"
#include "restore/object_transform.h"
#include "restore/pod_exec_hooks.h"
#include "restore/pod_volume_restore.h"
#include "restore/restore_results.h"
#include "restore/restore_runner.h"
#include "storage/checksummed_store.h"

namespace stillpoint::restore {

inline const std::string kCrdsResource = "customresourcedefinitions.apiextensions.k8s.io";

// An object ready to be created: the transformed object, and for a pod its decoded form, its
// hook plan and the volume data it gets.
struct RestoreRunner::PreparedItem {
  std::string group_resource;
  std::string name;       // as backed up
  std::string what;       // "configmaps ns/name", with the source namespace
  std::string target_ns;  // after namespace mapping; empty for cluster-scoped objects
  nlohmann::json item;
  std::optional<hooks::Pod> pod;
  hooks::PodRestorePlan plan;
  std::vector<catalog::VolumeRecord> volumes;
};

struct RestoreRunner::State {
  State(const hooks::RestoreSpec& spec, core::Duration limit) : planner(spec, limit) {}

  hooks::RestorePlanner planner;
  kube::DiscoveryResult discovery;
  // The backup's objects are read through it: checked against the backup's checksums.
  std::unique_ptr<storage::ChecksumVerifyingStore> backup_store;
  std::unique_ptr<ArchiveSpool> spool;
  std::unique_ptr<catalog::OperationLog> log;
  RestoreResults results;
  TransformContext transform;
  bool include_cluster_resources = true;
  std::set<std::string> namespaces_ready;
  std::vector<std::string> created_crds;

  hooks::HookTracker tracker;
  std::unique_ptr<hooks::HookRunner> runner;
  std::unique_ptr<PodExecHooks> pod_hooks;
  // Pod volume data in the backup, by source pod ("ns/name"), and what copies it back.
  std::map<std::string, std::vector<catalog::VolumeRecord>> volumes_by_pod;
  // Restored claims ("target ns/name") whose backed-up PV is in use by another claim in the
  // cluster, so they get a new volume (volume_in_use.h): why, for the pods that mount them.
  std::map<std::string, std::string> claims_reprovisioned;
  std::unique_ptr<PodVolumeRestorer> volume_restorer;
  std::map<std::string, hooks::PlannedExecHook> planned;  // for the log's hook lines
  // The volume data and exec hooks of each created pod, which run on while later items are
  // created; the restore ends once they have.
  std::unique_ptr<core::async::TaskGroup> pod_work;

  RestoreStatus status;
  RestoreProgress progress;
};

}  // namespace stillpoint::restore

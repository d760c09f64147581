// BackupRunner's working state, shared by its two halves: backup_runner.cc (the run:
// discovery, collection, the other resources, publishing) and backup_blocks.cc (one ItemBlock:
// pre hooks, items and pod volume data, post hooks; claims and volumes written once).
// Private to src/backup.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backup/archive_sink.h"
#include "backup/backup_runner.h"
#include "backup/item_blocks.h"
#include "backup/resource_selection.h"
#include "catalog/operation_log.h"
#include "catalog/volume_manifest.h"
#include "hooks/backup_planner.h"
#include "hooks/hook_runner.h"
#include "hooks/hook_tracker.h"
#include "hooks/pod.h"
#include "kube/discovery.h"

namespace stillpoint::backup {

struct CollectedPod {
  hooks::Pod pod;
  hooks::PodBackupPlan plan;
  std::string json;  // the object as listed
  std::vector<std::string> claims;
};

struct BackupRunner::State {
  explicit State(const hooks::BackupSpec& spec) : planner(spec) {}

  hooks::BackupPlanner planner;
  kube::DiscoveryResult discovery;
  std::vector<SelectedResource> selected;
  const kube::ApiResource* pods = nullptr;
  const kube::ApiResource* pvcs = nullptr;
  const kube::ApiResource* pvs = nullptr;
  SelectedResource::Keep pv_keep = SelectedResource::Keep::All;

  std::vector<CollectedPod> collected;
  std::map<std::string, nlohmann::json> claims;   // "ns/name"
  std::map<std::string, nlohmann::json> volumes;  // PV name
  std::set<std::string> claims_written;
  std::set<std::string> volumes_written;
  std::vector<BlockLayout> blocks;
  size_t next_block = 0;

  std::unique_ptr<ArchiveSink> sink;
  std::unique_ptr<catalog::OperationLog> log;
  hooks::HookTracker tracker;
  std::unique_ptr<hooks::HookRunner> runner;
  int item_errors = 0;
  size_t items_total = 0;
  std::vector<catalog::VolumeRecord> volume_records;
  core::Status storage = core::ok();  // an error once the location failed mid-run: nothing is published
};

inline core::Status interrupted_status() {
  return core::unexpected(core::ErrorCode::Cancelled, "interrupted");
}

}  // namespace stillpoint::backup

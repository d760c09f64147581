// What a backup run is asked to do, after the CLI (or a Backup object from --from-file) has
// been parsed and validated.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "hooks/model.h"

namespace stillpoint::backup {

inline constexpr size_t kDefaultItemBlockWorkers = 8;

struct BackupRequest {
  std::string name;
  // The Backup's spec as given (flags turned into fields), stored in velero-backup.json.
  nlohmann::json spec = nlohmann::json::object();
  // The Backup object's metadata.labels and metadata.annotations, stored with it so that a
  // cluster syncing the location (stillpoint server) recreates the object as it was.
  nlohmann::json labels = nlohmann::json::object();
  nlohmann::json annotations = nlohmann::json::object();
  hooks::BackupSpec hooks_spec;  // the same spec, decoded: filters and hooks
  // spec.includeClusterResources: nullopt = Velero's default (cluster-scoped objects only
  // when every namespace is included).
  std::optional<bool> include_cluster_resources;
  size_t item_block_workers = kDefaultItemBlockWorkers;
  bool strict_hooks = false;  // any hook warning fails validation before anything runs
  std::vector<std::string> spec_warnings;  // from reading the spec, reported in the log
  // How long one volume's copy may take (Velero's --fs-backup-timeout default: 4h).
  std::chrono::nanoseconds volume_timeout = std::chrono::hours(4);
};

}  // namespace stillpoint::backup

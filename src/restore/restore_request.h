// What a restore run is asked to do, after the CLI (or a Restore object from --from-file) has
// been parsed and validated.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hooks/model.h"

namespace stillpoint::restore {

inline constexpr size_t kDefaultRestoreWorkers = 16;

// spec.existingResourcePolicy: what to do with an object that already exists in the cluster.
enum class ExistingPolicy {
  None,    // leave it; report it as skipped (a warning when it differs from the backup)
  Update,  // merge-patch it with the backed-up object
};
const char* to_string(ExistingPolicy policy);

struct RestoreRequest {
  std::string name;
  std::string backup_name;
  // The Restore's spec as given (flags turned into fields), stored in velero-restore.json.
  nlohmann::json spec = nlohmann::json::object();
  hooks::RestoreSpec hooks_spec;  // the same spec, decoded: filters, namespaceMapping, hooks
  ExistingPolicy existing_policy = ExistingPolicy::None;
  // The wait of exec hooks that set no waitTimeout (--hook-wait-timeout): no wait is
  // unbounded, so a restore always ends.
  core::Duration hook_wait_limit = hooks::kDefaultRestoreHookWait;
  size_t workers = kDefaultRestoreWorkers;  // objects of one resource type created in parallel
  std::vector<std::string> spec_warnings;   // from reading the spec, reported in the log
  // Image of the restore-wait init container of pods whose volume data is restored
  // (--restore-helper-image; restore/pod_volume_restore.h says what it must contain).
  std::string restore_helper_image = "busybox:1.36";
};

}  // namespace stillpoint::restore
